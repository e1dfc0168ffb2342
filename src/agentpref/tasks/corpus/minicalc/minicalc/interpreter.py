"""Evaluate minicalc syntax trees against a variable environment."""

from minicalc.lexer import CalcError
from minicalc.nodes import Assign, Call, Num, Unary, Var
from minicalc.syntax import parse

# name -> (function, fewest arguments, most arguments or None for no limit)
FUNCTIONS = {
    "abs": (abs, 1, 1),
    "min": (min, 1, None),
    "max": (max, 1, None),
}


class EvalError(CalcError):
    pass


class Interpreter:
    """Runs programs; variables persist between :meth:`run` calls on the same interpreter."""

    def __init__(self, variables=None):
        self.variables = dict(variables or {})

    def run(self, source):
        """Execute every statement; return the values of the expression statements, in order."""
        results = []
        for statement in parse(source):
            if isinstance(statement, Assign):
                self.variables[statement.name] = self.evaluate(statement.value)
            else:
                results.append(self.evaluate(statement))
        return results

    def evaluate(self, node):
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Var):
            if node.name not in self.variables:
                raise EvalError(f"undefined variable {node.name!r}", node.pos)
            return self.variables[node.name]
        if isinstance(node, Unary):
            return -self.evaluate(node.operand)
        if isinstance(node, Call):
            return self._call(node)
        return self._binary(node.op, self.evaluate(node.left), self.evaluate(node.right), node.pos)

    def _binary(self, op, left, right, pos):
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op in "/%" and right == 0:
            raise EvalError("division by zero", pos)
        if op == "/":
            return left / right
        if op == "%":
            return left % right
        if left == 0 and right < 0:
            raise EvalError("zero cannot be raised to a negative power", pos)
        return left ** right

    def _call(self, node):
        if node.name not in FUNCTIONS:
            raise EvalError(f"unknown function {node.name!r}", node.pos)
        function, fewest, most = FUNCTIONS[node.name]
        if len(node.args) < fewest or (most is not None and len(node.args) > most):
            raise EvalError(f"wrong number of arguments for {node.name}()", node.pos)
        args = [self.evaluate(arg) for arg in node.args]
        return function(*args)


def calculate(source, variables=None):
    """Value of the last expression statement in ``source`` (None if there is none)."""
    results = Interpreter(variables).run(source)
    return results[-1] if results else None
