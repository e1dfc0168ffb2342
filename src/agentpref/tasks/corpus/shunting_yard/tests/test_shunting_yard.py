import pytest

from shunting_yard import evaluate, evaluate_rpn, to_rpn, tokenize


def test_tokenize():
    assert tokenize(" 12 + 3.5*(4) ") == [12, "+", 3.5, "*", "(", 4, ")"]
    assert tokenize("") == []
    assert tokenize(".5") == [0.5]


@pytest.mark.parametrize("expr", ["1 $ 2", "1..2", "a"])
def test_tokenize_errors(expr):
    with pytest.raises(ValueError):
        tokenize(expr)


@pytest.mark.parametrize(
    "expr, rpn",
    [
        ("1", [1]),
        ("1 + 2", [1, 2, "+"]),
        ("1 + 2 * 3", [1, 2, 3, "*", "+"]),
        ("(1 + 2) * 3", [1, 2, "+", 3, "*"]),
        ("8 - 3 - 2", [8, 3, "-", 2, "-"]),
        ("2 ^ 3 ^ 2", [2, 3, 2, "^", "^"]),
        ("-2 ^ 2", [2, 2, "^", "neg"]),
        ("-2 * 3", [2, "neg", 3, "*"]),
        ("2 * -3", [2, 3, "neg", "*"]),
        ("6 / 2 % 4", [6, 2, "/", 4, "%"]),
    ],
)
def test_to_rpn(expr, rpn):
    assert to_rpn(expr) == rpn


@pytest.mark.parametrize(
    "expr, value",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4", 6),
        ("10 - 4 - 3", 3),
        ("2 - 3", -1),
        ("7 / 2", 3.5),
        ("24 / 4 / 2", 3.0),
        ("7 % 3", 1),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("2 ^ -1", 0.5),
        ("--3", 3),
        ("-(2 + 3) * 2", -10),
        ("((4))", 4),
        ("1.5 * 4", 6.0),
        ("3 - -2", 5),
    ],
)
def test_evaluate(expr, value):
    assert evaluate(expr) == value


@pytest.mark.parametrize(
    "expr", ["", "1 +", "* 2", "(1 + 2", "1 + 2)", "1 2", "()", "2 (3)", "1 + * 2"]
)
def test_syntax_errors(expr):
    with pytest.raises(ValueError):
        evaluate(expr)


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError):
        evaluate("1 / (2 - 2)")
    with pytest.raises(ZeroDivisionError):
        evaluate("5 % 0")


def test_evaluate_rpn_errors():
    assert evaluate_rpn([3, 4, "-"]) == -1
    with pytest.raises(ValueError):
        evaluate_rpn([1, "+"])
    with pytest.raises(ValueError):
        evaluate_rpn([1, 2])
    with pytest.raises(ValueError):
        evaluate_rpn(["neg"])
