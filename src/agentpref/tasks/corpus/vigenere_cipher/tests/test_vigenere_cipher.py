import pytest

from vigenere_cipher import decrypt, encrypt, guess_key_length


def test_classic_example():
    assert encrypt("ATTACKATDAWN", "LEMON") == "LXFOPVEFRNHR"
    assert decrypt("LXFOPVEFRNHR", "LEMON") == "ATTACKATDAWN"


def test_lowercase_and_key_case_insensitive():
    assert encrypt("attackatdawn", "lemon") == "lxfopvefrnhr"
    assert encrypt("attackatdawn", "LeMoN") == "lxfopvefrnhr"


def test_preserves_case():
    assert encrypt("Hello", "b") == "Ifmmp"
    assert decrypt("Ifmmp", "B") == "Hello"


def test_non_letters_do_not_consume_key():
    assert encrypt("a b,c!", "bc") == "b d,d!"
    assert encrypt("Attack at dawn!", "lemon") == "Lxfopv ef rnhr!"


def test_wraps_around_alphabet():
    assert encrypt("xyz", "c") == "zab"
    assert encrypt("XYZ", "d") == "ABC"
    assert decrypt("abc", "c") == "yza"
    assert encrypt("z", "z") == "y"


def test_key_a_is_identity():
    assert encrypt("Same text, 123", "aaa") == "Same text, 123"


def test_empty_text():
    assert encrypt("", "key") == ""
    assert decrypt("", "key") == ""


def test_digits_and_unicode_pass_through():
    assert encrypt("1é2", "b") == "1é2"


@pytest.mark.parametrize("key", ["", "ab1", "two words", "é"])
def test_bad_key(key):
    with pytest.raises(ValueError):
        encrypt("text", key)


def test_round_trip():
    text = "The Quick Brown Fox, jumps over 13 lazy dogs!"
    assert decrypt(encrypt(text, "Vigenere"), "Vigenere") == text


def test_guess_key_length():
    plain = (
        "it was the best of times it was the worst of times it was the age of wisdom it was "
        "the age of foolishness it was the epoch of belief it was the epoch of incredulity "
        "it was the season of light it was the season of darkness"
    )
    assert guess_key_length(encrypt(plain, "key")) == 3
    assert guess_key_length(encrypt(plain, "lemon")) == 5
    assert guess_key_length("") == 1


def test_guess_key_length_falls_back_to_best_score():
    assert guess_key_length("abcdefghij", max_length=3) == 1
    assert guess_key_length("abab", max_length=4, threshold=1.0) == 2
    assert guess_key_length("xyxzxw", max_length=4, threshold=1.0) == 2
    assert guess_key_length("x", max_length=3) == 1
