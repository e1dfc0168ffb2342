"""minicalc: a tiny calculator language with variables, assignments and built-in functions."""

from minicalc.interpreter import EvalError, Interpreter, calculate
from minicalc.lexer import CalcError, LexError, Token, tokenize
from minicalc.syntax import ParseError, parse

__all__ = ["CalcError", "EvalError", "Interpreter", "LexError", "ParseError", "Token",
           "calculate", "parse", "tokenize"]
