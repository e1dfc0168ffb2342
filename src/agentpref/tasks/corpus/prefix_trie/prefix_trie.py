"""Prefix tree (trie) of strings with prefix counts, deletion and prefix listing."""


class _Node:
    __slots__ = ("children", "terminal", "count")

    def __init__(self):
        self.children = {}
        self.terminal = False
        self.count = 0  # number of stored words that pass through this node


class Trie:
    def __init__(self, words=()):
        self._root = _Node()
        self._size = 0
        for word in words:
            self.insert(word)

    def __len__(self):
        return self._size

    def __contains__(self, word):
        return self.search(word)

    def _find(self, prefix):
        node = self._root
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def insert(self, word):
        """Add ``word``; returns False when it was already stored."""
        if self.search(word):
            return False
        node = self._root
        node.count += 1
        for ch in word:
            node = node.children.setdefault(ch, _Node())
            node.count += 1
        node.terminal = True
        self._size += 1
        return True

    def search(self, word):
        node = self._find(word)
        return node is not None and node.terminal

    def count_prefix(self, prefix):
        """Number of stored words that start with ``prefix``."""
        node = self._find(prefix)
        return 0 if node is None else node.count

    def starts_with(self, prefix):
        return self.count_prefix(prefix) > 0

    def delete(self, word):
        """Remove ``word``, pruning branches no other word uses; returns whether it was stored."""
        if not self.search(word):
            return False
        node = self._root
        node.count -= 1
        for ch in word:
            child = node.children[ch]
            child.count -= 1
            if child.count == 0:
                del node.children[ch]
                break
            node = child
        else:
            node.terminal = False
        self._size -= 1
        return True

    def words_with_prefix(self, prefix=""):
        """Sorted list of the stored words that start with ``prefix``."""
        node = self._find(prefix)
        if node is None:
            return []
        result = []
        stack = [(node, prefix)]
        while stack:
            current, text = stack.pop()
            if current.terminal:
                result.append(text)
            for ch, child in current.children.items():
                stack.append((child, text + ch))
        return sorted(result)
