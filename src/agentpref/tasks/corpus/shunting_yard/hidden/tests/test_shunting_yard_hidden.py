import random

import pytest

from shunting_yard import evaluate, to_rpn


def random_expr(rng, depth):
    if depth == 0 or rng.random() < 0.3:
        return str(rng.randint(0, 9))
    kind = rng.random()
    if kind < 0.15:
        return "-" + random_expr(rng, depth - 1)
    if kind < 0.3:
        return "(" + random_expr(rng, depth - 1) + ")"
    op = rng.choice(["+", "-", "*"])
    return random_expr(rng, depth - 1) + f" {op} " + random_expr(rng, depth - 1)


def test_random_against_python_eval():
    rng = random.Random(31)
    for _ in range(200):
        expr = random_expr(rng, 4)
        assert evaluate(expr) == eval(expr), expr


def test_power_against_python():
    for expr, py in [("2 ^ 2 ^ 3", "2 ** 2 ** 3"), ("-3 ^ 2", "-3 ** 2"), ("(-3) ^ 2", "(-3) ** 2")]:
        assert evaluate(expr) == eval(py)


def test_mod_is_python_modulo():
    assert evaluate("-7 % 3") == (-7) % 3


def test_unary_after_open_paren():
    assert to_rpn("(-1)") == [1, "neg"]


@pytest.mark.parametrize("expr", ["-", "(", ")", "^ 2"])
def test_more_errors(expr):
    with pytest.raises(ValueError):
        evaluate(expr)
