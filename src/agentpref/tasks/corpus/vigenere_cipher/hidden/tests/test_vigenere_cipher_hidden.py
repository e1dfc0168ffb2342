import random
import string

from vigenere_cipher import decrypt, encrypt


def reference_encrypt(text, key):
    out, i = [], 0
    for ch in text:
        if ch in string.ascii_letters:
            alphabet = string.ascii_lowercase if ch.islower() else string.ascii_uppercase
            shift = string.ascii_lowercase.index(key[i % len(key)].lower())
            out.append(alphabet[(alphabet.index(ch) + shift) % 26])
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def test_random_against_reference():
    rng = random.Random(12)
    chars = string.ascii_letters + " .,0"
    for _ in range(150):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 30)))
        key = "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 6)))
        assert encrypt(text, key) == reference_encrypt(text, key)
        assert decrypt(encrypt(text, key), key) == text


def test_full_alphabet_shift():
    assert encrypt(string.ascii_lowercase, "b") == string.ascii_lowercase[1:] + "a"
    assert decrypt(string.ascii_uppercase, "b") == "Z" + string.ascii_uppercase[:-1]


def test_key_longer_than_text():
    assert encrypt("ab", "bcdefg") == "bd"


def test_brackets_around_letters_pass_through():
    assert encrypt("[`{@]", "q") == "[`{@]"
