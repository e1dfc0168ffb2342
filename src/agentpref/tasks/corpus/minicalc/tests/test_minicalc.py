import pytest

from minicalc.interpreter import EvalError, Interpreter, calculate
from minicalc.lexer import CalcError, LexError, Token, tokenize
from minicalc.nodes import Assign, Binary, Call, Num, Unary, Var
from minicalc.syntax import ParseError, parse


def kinds_and_values(source):
    return [(t.kind, t.value) for t in tokenize(source)]


def test_tokenize_expression():
    assert kinds_and_values("x1 = 3.5*(y_2+10)") == [
        ("name", "x1"), ("op", "="), ("num", 3.5), ("op", "*"), ("op", "("), ("name", "y_2"),
        ("op", "+"), ("num", 10), ("op", ")"), ("eof", None),
    ]


def test_tokenize_positions_comments_and_ends():
    tokens = tokenize("a;b # note\n .5")
    assert tokens == [
        Token("name", "a", 0), Token("end", ";", 1), Token("name", "b", 2), Token("end", "\n", 10),
        Token("num", 0.5, 12), Token("eof", None, 14),
    ]
    assert tokenize("") == [Token("eof", None, 0)]


@pytest.mark.parametrize("source, pos", [("1 $ 2", 2), ("1.2.3", 0), ("x = @", 4), ("a . b", 2)])
def test_lex_errors(source, pos):
    with pytest.raises(LexError) as info:
        tokenize(source)
    assert info.value.pos == pos


def test_parse_precedence():
    assert parse("1 + 2 * 3") == [Binary("+", Num(1), Binary("*", Num(2), Num(3)))]
    assert parse("(1 + 2) * 3") == [Binary("*", Binary("+", Num(1), Num(2)), Num(3))]
    assert parse("8 - 3 - 2") == [Binary("-", Binary("-", Num(8), Num(3)), Num(2))]
    assert parse("2 ^ 3 ^ 2") == [Binary("^", Num(2), Binary("^", Num(3), Num(2)))]
    assert parse("-x ^ 2") == [Unary("-", Binary("^", Var("x"), Num(2)))]


def test_parse_statements_and_calls():
    assert parse("a = max(1, b)\n\n; a") == [
        Assign("a", Call("max", (Num(1), Var("b")))),
        Var("a"),
    ]
    assert parse("f()") == [Call("f", ())]
    assert parse("") == []


@pytest.mark.parametrize(
    "source, pos",
    [("1 +", 3), ("(1", 2), ("1 2", 2), ("max(1,", 6), ("= 3", 0), ("a = = 1", 4), ("1 = 2", 2), (")", 0)],
)
def test_parse_errors(source, pos):
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.pos == pos


@pytest.mark.parametrize(
    "source, value",
    [
        ("1 + 2 * 3", 7),
        ("10 - 4 - 3", 3),
        ("7 / 2", 3.5),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("2 ^ -1", 0.5),
        ("--3", 3),
        ("2 * -3", -6),
        ("abs(-4) + min(3, 1, 2) * max(5, 9)", 13),
        ("x = 3; y = x * 2\ny ^ 2 - 1", 35),
        ("value_1 = 4; value_1 * 2", 8),
        ("x = 1", None),
    ],
)
def test_calculate(source, value):
    assert calculate(source) == value


def test_run_returns_every_expression_value():
    assert Interpreter().run("1; a = 2; a + 1\n a * 10") == [1, 3, 20]


def test_variables_persist_and_caller_dict_untouched():
    start = {"rate": 2}
    interp = Interpreter(start)
    assert interp.run("total = rate * 21") == []
    assert interp.run("total") == [42]
    assert interp.variables == {"rate": 2, "total": 42}
    assert start == {"rate": 2}
    assert calculate("rate + 1", {"rate": 4}) == 5


@pytest.mark.parametrize("source", ["1 / 0", "5 % 0", "x = 0; 3 / x", "0 ^ -1"])
def test_arithmetic_errors(source):
    with pytest.raises(EvalError):
        calculate(source)


@pytest.mark.parametrize("source", ["missing + 1", "foo(1)", "abs(1, 2)", "max()"])
def test_name_and_call_errors(source):
    with pytest.raises(EvalError):
        calculate(source)


def test_error_hierarchy_and_position():
    with pytest.raises(CalcError) as info:
        calculate("a = 1\nb + a")
    assert isinstance(info.value, EvalError)
    assert info.value.pos == 6
    assert "position 6" in str(info.value)
