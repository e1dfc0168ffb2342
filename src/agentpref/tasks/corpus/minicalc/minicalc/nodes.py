"""Syntax tree nodes built by the parser and walked by the interpreter.

Positions are kept for error messages but ignored when nodes are compared.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Num:
    value: object


@dataclass(frozen=True)
class Var:
    name: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Assign:
    name: str
    value: object
