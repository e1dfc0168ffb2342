"""Recursive-descent parser from tokens to a list of statement nodes.

    program   := (statement? END)* EOF
    statement := NAME '=' expr | expr
    expr      := term (('+' | '-') term)*
    term      := unary (('*' | '/' | '%') unary)*
    unary     := '-' unary | power
    power     := atom ('^' unary)?          (right-associative, binds tighter than unary minus)
    atom      := NUM | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'
"""

from minicalc.lexer import CalcError, tokenize
from minicalc.nodes import Assign, Binary, Call, Num, Unary, Var


class ParseError(CalcError):
    pass


def _describe(token):
    return "end of input" if token.kind == "eof" else repr(token.value)


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self):
        return self.tokens[self.index]

    def advance(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_op(self, symbols):
        token = self.peek()
        return token.kind == "op" and token.value in symbols

    def expect_op(self, symbol):
        if not self.at_op(symbol):
            token = self.peek()
            raise ParseError(f"expected {symbol!r}, found {_describe(token)}", token.pos)
        return self.advance()

    def program(self):
        statements = []
        while self.peek().kind != "eof":
            if self.peek().kind == "end":
                self.advance()
                continue
            statements.append(self.statement())
            if self.peek().kind not in ("end", "eof"):
                token = self.peek()
                raise ParseError(f"unexpected {_describe(token)}", token.pos)
        return statements

    def statement(self):
        token, following = self.peek(), self.tokens[self.index + 1]
        if token.kind == "name" and following.kind == "op" and following.value == "=":
            self.index += 2
            return Assign(token.value, self.expr())
        return self.expr()

    def _left_assoc(self, operand, symbols):
        node = operand()
        while self.at_op(symbols):
            token = self.advance()
            node = Binary(token.value, node, operand(), token.pos)
        return node

    def expr(self):
        return self._left_assoc(self.term, "+-")

    def term(self):
        return self._left_assoc(self.unary, "*/%")

    def unary(self):
        if self.at_op("-"):
            self.advance()
            return Unary("-", self.unary())
        return self.power()

    def power(self):
        base = self.atom()
        if self.at_op("^"):
            token = self.advance()
            return Binary("^", base, self.unary(), token.pos)
        return base

    def atom(self):
        token = self.advance()
        if token.kind == "num":
            return Num(token.value)
        if token.kind == "name":
            if not self.at_op("("):
                return Var(token.value, token.pos)
            self.advance()
            args = []
            if not self.at_op(")"):
                args.append(self.expr())
                while self.at_op(","):
                    self.advance()
                    args.append(self.expr())
            self.expect_op(")")
            return Call(token.value, tuple(args), token.pos)
        if token.kind == "op" and token.value == "(":
            node = self.expr()
            self.expect_op(")")
            return node
        raise ParseError(f"unexpected {_describe(token)}", token.pos)


def parse(source):
    """Statements of ``source`` as syntax tree nodes."""
    return Parser(tokenize(source)).program()
