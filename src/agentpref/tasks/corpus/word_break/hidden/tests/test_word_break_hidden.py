import random

from word_break import can_segment, count_segmentations, min_words, segmentations


def brute(text, words):
    if not text:
        return [[]]
    result = []
    for cut in range(1, len(text) + 1):
        if text[:cut] in words:
            result.extend([text[:cut]] + rest for rest in brute(text[cut:], words))
    return result


def test_random_texts_match_brute_force():
    rng = random.Random(111)
    for _ in range(60):
        words = {"".join(rng.choice("ab") for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 4))}
        text = "".join(rng.choice("ab") for _ in range(rng.randint(0, 9)))
        expected = brute(text, words)
        assert segmentations(text, sorted(words)) == expected
        assert count_segmentations(text, words) == len(expected)
        assert can_segment(text, words) == bool(expected)
        assert min_words(text, words) == min((len(s) for s in expected), default=-1)


def test_set_and_tuple_dictionaries():
    assert can_segment("abab", {"ab"})
    assert can_segment("abab", ("ab",))


def test_long_unbreakable_text_is_fast():
    assert count_segmentations("a" * 200 + "b", ["a", "aa", "aaa"]) == 0
    assert segmentations("a" * 200 + "b", ["a", "aa", "aaa"]) == []
