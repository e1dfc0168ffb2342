"""Turn minicalc source text into a list of tokens."""

from dataclasses import dataclass

OPERATORS = "+-*/%^()=,"


class CalcError(Exception):
    """Base class of all minicalc errors; ``pos`` is the offset in the source, if known."""

    def __init__(self, message, pos=None):
        super().__init__(message if pos is None else f"{message} at position {pos}")
        self.pos = pos


class LexError(CalcError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "end" (newline or ';') or "eof"
    value: object
    pos: int


def _is_digit(ch):
    return "0" <= ch <= "9"


def tokenize(source):
    """Tokens of ``source``; ``#`` starts a comment running to the end of the line."""
    tokens = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch in " \t\r":
            i += 1
        elif ch == "#":
            while i < len(source) and source[i] != "\n":
                i += 1
        elif ch in "\n;":
            tokens.append(Token("end", ch, i))
            i += 1
        elif _is_digit(ch) or (ch == "." and i + 1 < len(source) and _is_digit(source[i + 1])):
            start = i
            while i < len(source) and (_is_digit(source[i]) or source[i] == "."):
                i += 1
            text = source[start:i]
            if text.count(".") > 1:
                raise LexError(f"malformed number {text!r}", start)
            tokens.append(Token("num", float(text) if "." in text else int(text), start))
        elif ch.isalpha() or ch == "_":
            start = i
            while i < len(source) and (source[i].isalnum() or source[i] == "_"):
                i += 1
            tokens.append(Token("name", source[start:i], start))
        elif ch in OPERATORS:
            tokens.append(Token("op", ch, i))
            i += 1
        else:
            raise LexError(f"unexpected character {ch!r}", i)
    tokens.append(Token("eof", None, len(source)))
    return tokens
