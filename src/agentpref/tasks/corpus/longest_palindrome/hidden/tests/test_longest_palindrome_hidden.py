import random

from longest_palindrome import count_palindromes, is_palindrome, longest_palindrome


def brute_longest(text):
    best = ""
    for i in range(len(text)):
        for j in range(i + 1, len(text) + 1):
            sub = text[i:j]
            if sub == sub[::-1] and len(sub) > len(best):
                best = sub
    return best


def brute_count(text):
    return sum(
        1
        for i in range(len(text))
        for j in range(i + 1, len(text) + 1)
        if text[i:j] == text[i:j][::-1]
    )


def test_random_against_brute_force():
    rng = random.Random(5)
    for _ in range(150):
        text = "".join(rng.choice("abc") for _ in range(rng.randint(0, 14)))
        assert longest_palindrome(text) == brute_longest(text)
        assert count_palindromes(text) == brute_count(text)
        assert is_palindrome(text) == (text == text[::-1])


def test_long_uniform_string():
    assert longest_palindrome("z" * 50) == "z" * 50
    assert count_palindromes("z" * 10) == 55


def test_case_sensitive_by_default():
    assert longest_palindrome("Aba") == "A"


def test_palindrome_at_start():
    assert longest_palindrome("abbaxyz") == "abba"
