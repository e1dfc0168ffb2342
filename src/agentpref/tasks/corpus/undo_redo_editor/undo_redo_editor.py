"""Plain-text buffer with insert/delete and multi-level undo/redo."""


class Editor:
    """Edits are recorded as ``(kind, position, text)``; a new edit discards the redo history.
    With ``max_history`` set, only that many most recent edits can be undone."""

    def __init__(self, text="", max_history=None):
        if max_history is not None and max_history < 0:
            raise ValueError("max_history must not be negative")
        self.text = text
        self.max_history = max_history
        self._undo = []
        self._redo = []

    def _apply(self, op):
        kind, pos, s = op
        if kind == "insert":
            self.text = self.text[:pos] + s + self.text[pos:]
        else:
            self.text = self.text[:pos] + self.text[pos + len(s):]

    def _revert(self, op):
        kind, pos, s = op
        self._apply(("delete" if kind == "insert" else "insert", pos, s))

    def _push_undo(self, op):
        self._undo.append(op)
        if self.max_history is not None and len(self._undo) > self.max_history:
            del self._undo[0]

    def insert(self, pos, s):
        if not 0 <= pos <= len(self.text):
            raise IndexError("insert position out of range")
        if not s:
            return
        op = ("insert", pos, s)
        self._apply(op)
        self._push_undo(op)
        self._redo.clear()

    def delete(self, pos, length):
        """Delete ``length`` characters starting at ``pos``; returns the deleted text."""
        if length < 0 or pos < 0 or pos + length > len(self.text):
            raise IndexError("delete range out of range")
        if length == 0:
            return ""
        removed = self.text[pos:pos + length]
        op = ("delete", pos, removed)
        self._apply(op)
        self._push_undo(op)
        self._redo.clear()
        return removed

    def undo(self):
        """Undo the latest edit; returns False when there is nothing to undo."""
        if not self._undo:
            return False
        op = self._undo.pop()
        self._revert(op)
        self._redo.append(op)
        return True

    def redo(self):
        """Redo the latest undone edit; returns False when there is nothing to redo."""
        if not self._redo:
            return False
        op = self._redo.pop()
        self._apply(op)
        self._push_undo(op)
        return True

    def can_undo(self):
        return bool(self._undo)

    def can_redo(self):
        return bool(self._redo)
