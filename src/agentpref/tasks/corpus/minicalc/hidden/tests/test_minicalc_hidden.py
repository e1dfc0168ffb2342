import random

import pytest

from minicalc import CalcError, EvalError, Interpreter, ParseError, calculate


def random_expr(rng, depth):
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(["a", "b", str(rng.randint(0, 9))])
    kind = rng.random()
    if kind < 0.15:
        return "-" + random_expr(rng, depth - 1)
    if kind < 0.3:
        return "(" + random_expr(rng, depth - 1) + ")"
    if kind < 0.4:
        return f"max({random_expr(rng, depth - 1)}, {random_expr(rng, depth - 1)})"
    op = rng.choice(["+", "-", "*"])
    return random_expr(rng, depth - 1) + f" {op} " + random_expr(rng, depth - 1)


def test_random_against_python_eval():
    rng = random.Random(61)
    for _ in range(200):
        expr = random_expr(rng, 4)
        env = {"a": rng.randint(-5, 5), "b": rng.randint(-5, 5)}
        assert calculate(expr, env) == eval(expr, {"max": max}, dict(env)), expr


def test_power_matches_python():
    for expr, py in [("2 ^ 2 ^ 3", 2 ** 2 ** 3), ("-3 ^ 2", -3 ** 2), ("(-3) ^ 2", (-3) ** 2), ("2 ^ 0.5", 2 ** 0.5)]:
        assert calculate(expr) == py


def test_reassignment_uses_old_value():
    interp = Interpreter()
    assert interp.run("n = 1; n = n + 1; n = n * 10; n") == [20]


def test_float_literals():
    assert calculate("1.5 + .5") == 2.0
    assert calculate("10.") == 10.0


@pytest.mark.parametrize("source", ["(", "1 +* 2", "a = ", "max(1 2)"])
def test_more_parse_errors(source):
    with pytest.raises(ParseError):
        calculate(source)


def test_all_errors_share_base_class():
    for source in ["1 $", "(", "nope"]:
        with pytest.raises(CalcError):
            calculate(source)
    assert issubclass(EvalError, CalcError)
