"""Convert infix arithmetic to reverse Polish notation (shunting-yard) and evaluate it.

Operators: + - (lowest), * / %, unary minus, ^ (highest, right-associative), parentheses.
"""

BINARY = {"+": (1, "left"), "-": (1, "left"), "*": (2, "left"), "/": (2, "left"),
          "%": (2, "left"), "^": (4, "right")}
NEG = "neg"
NEG_PRECEDENCE = 3


def tokenize(expr):
    """Split ``expr`` into numbers (int or float) and operator/parenthesis strings."""
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < len(expr) and (expr[j].isdigit() or expr[j] == "."):
                j += 1
            text = expr[i:j]
            try:
                tokens.append(float(text) if "." in text else int(text))
            except ValueError:
                raise ValueError(f"malformed number {text!r}") from None
            i = j
        elif ch in BINARY or ch in "()":
            tokens.append(ch)
            i += 1
        else:
            raise ValueError(f"unexpected character {ch!r} at position {i}")
    return tokens


def to_rpn(expr):
    """Tokens of ``expr`` in reverse Polish order; unary minus appears as ``"neg"``."""
    output, stack = [], []
    expect_operand = True
    for tok in tokenize(expr):
        if not isinstance(tok, str):
            if not expect_operand:
                raise ValueError("missing operator between operands")
            output.append(tok)
            expect_operand = False
        elif tok == "(":
            if not expect_operand:
                raise ValueError("missing operator before '('")
            stack.append(tok)
        elif tok == ")":
            if expect_operand:
                raise ValueError("missing operand before ')'")
            while stack and stack[-1] != "(":
                output.append(stack.pop())
            if not stack:
                raise ValueError("unbalanced parentheses")
            stack.pop()
        elif expect_operand:
            if tok != "-":
                raise ValueError(f"missing operand before {tok!r}")
            stack.append(NEG)
        else:
            precedence, assoc = BINARY[tok]
            while stack and stack[-1] != "(":
                top = stack[-1]
                top_precedence = NEG_PRECEDENCE if top == NEG else BINARY[top][0]
                if top_precedence > precedence or (top_precedence == precedence and assoc == "left"):
                    output.append(stack.pop())
                else:
                    break
            stack.append(tok)
            expect_operand = True
    if expect_operand:
        raise ValueError("expression is empty or ends with an operator")
    while stack:
        op = stack.pop()
        if op == "(":
            raise ValueError("unbalanced parentheses")
        output.append(op)
    return output


def _apply(op, left, right):
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op in "/%" and right == 0:
        raise ZeroDivisionError("division by zero")
    if op == "/":
        return left / right
    if op == "%":
        return left % right
    return left ** right


def evaluate_rpn(tokens):
    """Evaluate an RPN token list as produced by :func:`to_rpn`."""
    stack = []
    for tok in tokens:
        if tok == NEG:
            if not stack:
                raise ValueError("not enough operands")
            stack.append(-stack.pop())
        elif isinstance(tok, str):
            if len(stack) < 2:
                raise ValueError("not enough operands")
            right = stack.pop()
            left = stack.pop()
            stack.append(_apply(tok, left, right))
        else:
            stack.append(tok)
    if len(stack) != 1:
        raise ValueError("malformed RPN expression")
    return stack[0]


def evaluate(expr):
    """Value of the infix expression ``expr``."""
    return evaluate_rpn(to_rpn(expr))
