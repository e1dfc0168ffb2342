"""Palindromic substrings: the longest one, and how many there are (expand around centres)."""


def _expand(text, left, right):
    """Grow the window text[left:right+1] while it stays a palindrome; return its slice bounds."""
    while left >= 0 and right < len(text) and text[left] == text[right]:
        left -= 1
        right += 1
    return left + 1, right


def longest_palindrome(text):
    """Return the longest palindromic substring of ``text``; the leftmost one wins ties."""
    best_start, best_end = 0, 0
    for center in range(len(text)):
        for left, right in ((center, center), (center, center + 1)):
            start, end = _expand(text, left, right)
            if end - start > best_end - best_start:
                best_start, best_end = start, end
    return text[best_start:best_end]


def count_palindromes(text):
    """Number of palindromic substrings, counting every (start, end) position separately."""
    total = 0
    for center in range(2 * len(text) - 1):
        left = center // 2
        right = left + center % 2
        while left >= 0 and right < len(text) and text[left] == text[right]:
            total += 1
            left -= 1
            right += 1
    return total


def is_palindrome(text, ignore_case=False):
    """True when ``text`` reads the same backwards (optionally ignoring letter case)."""
    if ignore_case:
        text = text.lower()
    i, j = 0, len(text) - 1
    while i < j:
        if text[i] != text[j]:
            return False
        i += 1
        j -= 1
    return True
