import random

from prefix_trie import Trie


def test_random_against_set_reference():
    rng = random.Random(9)
    for _ in range(25):
        t = Trie()
        ref = set()
        for _ in range(60):
            word = "".join(rng.choice("ab") for _ in range(rng.randint(0, 4)))
            if rng.random() < 0.6:
                assert t.insert(word) == (word not in ref)
                ref.add(word)
            else:
                assert t.delete(word) == (word in ref)
                ref.discard(word)
            assert len(t) == len(ref)
            prefix = "".join(rng.choice("ab") for _ in range(rng.randint(0, 2)))
            expected = sorted(w for w in ref if w.startswith(prefix))
            assert t.words_with_prefix(prefix) == expected
            assert t.count_prefix(prefix) == len(expected)
            assert t.starts_with(prefix) == bool(expected)


def test_unicode_words():
    t = Trie(["über", "übel", "uber"])
    assert t.words_with_prefix("üb") == ["übel", "über"]
    assert t.count_prefix("u") == 1


def test_delete_shared_branch_keeps_other_word():
    t = Trie(["abc", "abd"])
    t.delete("abc")
    assert t.search("abd")
    assert t.count_prefix("ab") == 1
    assert not t.starts_with("abc")


def test_delete_longer_word_keeps_prefix_word():
    t = Trie(["in", "inn", "inner"])
    assert t.delete("inner")
    assert t.words_with_prefix("in") == ["in", "inn"]
    assert t.count_prefix("inn") == 1
    assert not t.starts_with("inne")
