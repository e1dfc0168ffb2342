import pytest

from prefix_trie import Trie


@pytest.fixture
def trie():
    return Trie(["car", "card", "care", "cat", "dog"])


def test_empty_trie():
    t = Trie()
    assert len(t) == 0
    assert not t.search("a")
    assert not t.starts_with("")
    assert t.words_with_prefix("") == []
    assert t.count_prefix("") == 0


def test_search_exact_words(trie):
    assert trie.search("car")
    assert trie.search("card")
    assert "dog" in trie
    assert not trie.search("ca")
    assert not trie.search("cards")
    assert not trie.search("x")


def test_starts_with(trie):
    assert trie.starts_with("ca")
    assert trie.starts_with("card")
    assert trie.starts_with("")
    assert not trie.starts_with("cards")
    assert not trie.starts_with("e")


@pytest.mark.parametrize(
    "prefix, count", [("", 5), ("c", 4), ("car", 3), ("card", 1), ("d", 1), ("z", 0)]
)
def test_count_prefix(trie, prefix, count):
    assert trie.count_prefix(prefix) == count


def test_words_with_prefix(trie):
    assert trie.words_with_prefix("car") == ["car", "card", "care"]
    assert trie.words_with_prefix("") == ["car", "card", "care", "cat", "dog"]
    assert trie.words_with_prefix("do") == ["dog"]
    assert trie.words_with_prefix("x") == []


def test_duplicate_insert(trie):
    assert trie.insert("car") is False
    assert len(trie) == 5
    assert trie.count_prefix("car") == 3
    assert trie.insert("ca") is True
    assert len(trie) == 6


def test_delete_leaf_word(trie):
    assert trie.delete("card") is True
    assert not trie.search("card")
    assert trie.search("car")
    assert trie.count_prefix("car") == 2
    assert len(trie) == 4


def test_delete_word_that_is_prefix(trie):
    assert trie.delete("car") is True
    assert not trie.search("car")
    assert trie.search("card")
    assert trie.search("care")
    assert trie.words_with_prefix("car") == ["card", "care"]


def test_delete_missing(trie):
    assert trie.delete("ca") is False
    assert trie.delete("zebra") is False
    assert len(trie) == 5


def test_delete_everything():
    t = Trie(["a", "ab"])
    assert t.delete("ab")
    assert t.delete("a")
    assert len(t) == 0
    assert t.count_prefix("") == 0
    assert not t.starts_with("")
    assert not t.starts_with("a")


def test_delete_then_reinsert():
    t = Trie(["tea", "ten"])
    t.delete("tea")
    assert not t.starts_with("tea")
    assert t.count_prefix("te") == 1
    t.insert("tea")
    assert t.words_with_prefix("te") == ["tea", "ten"]


def test_empty_string_word():
    t = Trie([""])
    assert t.search("")
    assert len(t) == 1
    assert t.words_with_prefix("") == [""]
    assert t.delete("")
    assert not t.search("")
