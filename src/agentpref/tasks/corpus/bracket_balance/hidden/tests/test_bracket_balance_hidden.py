import random

from bracket_balance import first_error, max_depth


def brute_first_error(text):
    stack = []
    for i, ch in enumerate(text):
        if ch in "([{":
            stack.append((ch, i))
        elif ch in ")]}":
            if not stack or "([{"[")]}".index(ch)] != stack[-1][0]:
                return i
            stack.pop()
    return stack[0][1] if stack else None


def test_random_without_quotes():
    rng = random.Random(17)
    for _ in range(300):
        text = "".join(rng.choice("()[]{}x") for _ in range(rng.randint(0, 12)))
        assert first_error(text) == brute_first_error(text)


def test_random_balanced_depth():
    rng = random.Random(2)
    for _ in range(50):
        depth = rng.randint(0, 8)
        text = "(" * depth + "x" + ")" * depth
        assert max_depth(text) == depth
        assert first_error(text) is None


def test_mixed_quote_kinds():
    assert first_error("\"'\" (") == 4
    assert first_error("'\"' ()") is None


def test_backslash_outside_string_is_plain():
    assert first_error("\\()") is None
