import random

from text_wrap import justify, wrap


def reference_wrap(words, width):
    lines = []
    current = []
    for word in words:
        if current and len(" ".join(current + [word])) > width:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def test_random_short_words_match_reference():
    rng = random.Random(4)
    for _ in range(100):
        width = rng.randint(3, 15)
        words = ["x" * rng.randint(1, 3) for _ in range(rng.randint(0, 15))]
        assert wrap(" ".join(words), width) == reference_wrap(words, width)


def test_random_justify_preserves_words_and_width():
    rng = random.Random(9)
    for _ in range(60):
        width = rng.randint(5, 20)
        words = ["y" * rng.randint(1, 5) for _ in range(rng.randint(1, 12))]
        lines = justify(" ".join(words), width)
        assert all(len(line) == width for line in lines)
        assert " ".join(lines).split() == words


def test_single_line_justify_is_left_aligned():
    assert justify("a b", 5) == ["a b  "]


def test_exact_width_line():
    assert wrap("abc def", 7) == ["abc def"]
    assert justify("abc def ghi", 7) == ["abc def", "ghi    "]
