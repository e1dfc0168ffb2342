"""AST mutation operators: where a program can be broken, and the exact source edit that does it.

Mutations are found on the AST but applied as *source-span* edits (replace the characters of one
operator, operand or statement), so a mutant differs from the correct program by a one-line diff
and keeps its comments and formatting, like a real bug. Candidates are enumerated in a fixed
order, so sampling them with a seeded RNG is deterministic.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

OPERATOR_CLASSES = (
    "compare",
    "boolean",
    "off_by_one",
    "arithmetic",
    "wrong_variable",
    "dropped_statement",
    "dropped_condition",
    "swapped_arguments",
    "changed_constant",
    "wrong_return",
)

_CMP_TEXT = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_CMP_SWAPS = {
    "<": ["<=", ">"],
    "<=": ["<", ">="],
    ">": [">=", "<"],
    ">=": [">", "<="],
    "==": ["!="],
    "!=": ["=="],
    "in": ["not in"],
    "not in": ["in"],
    "is": ["is not"],
    "is not": ["is"],
}
_BIN_TEXT = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_BIN_SWAPS = {"+": ["-"], "-": ["+"], "*": ["/", "+"], "/": ["//", "*"], "//": ["/", "%"], "%": ["//"], "**": ["*"]}


@dataclass(frozen=True, order=True)
class Mutation:
    """One source edit: replace ``source[start:end]`` of ``file`` by ``replacement``."""

    file: str
    start: int
    end: int
    operator: str
    replacement: str
    line: int
    description: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.replacement + source[self.end :]


class _Source:
    """Maps AST (line, UTF-8 byte column) positions to character offsets."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset))

    def seg(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]


def _locals_of(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    names.discard("self")
    names.discard("cls")
    return sorted(names)


class _Finder(ast.NodeVisitor):
    def __init__(self, file: str, text: str):
        self.file, self.src = file, _Source(text)
        self.found: list[Mutation] = []
        self.func_stack: list[list[str]] = []
        self.skip: set[int] = set()  # ids of nodes that are annotations or docstrings

    # -- helpers ----------------------------------------------------------------------------
    def add(self, op: str, start: int, end: int, replacement: str, line: int, what: str) -> None:
        if self.src.text[start:end] != replacement:
            self.found.append(Mutation(self.file, start, end, op, replacement, line, what))

    def add_node(self, op: str, node: ast.AST, replacement: str, what: str) -> None:
        start, end = self.src.span(node)
        self.add(op, start, end, replacement, node.lineno, what)

    def between(self, left: ast.AST, right: ast.AST, old: str, new: str, op: str, line: int) -> None:
        """Replace the operator token ``old`` in the text between two operand nodes."""
        start = self.src.offset(left.end_lineno, left.end_col_offset)
        end = self.src.offset(right.lineno, right.col_offset)
        mid = self.src.text[start:end]
        pattern = r"(?<![<>=!*/%+\-])" + re.escape(old).replace(r"\ ", r"\s+") + r"(?![<>=*/])"
        if old[0].isalpha():
            pattern = r"\b" + re.escape(old).replace(r"\ ", r"\s+") + r"\b"
        matches = list(re.finditer(pattern, mid))
        if len(matches) != 1:  # comments or odd spacing: not worth guessing
            return
        m = matches[0]
        self.add(op, start + m.start(), start + m.end(), new, line, f"`{old}` -> `{new}`")

    # -- structure ----------------------------------------------------------------------------
    def visit_Module(self, node: ast.Module) -> None:
        self._mark_docstring(node)
        self.generic_visit(node)

    def _mark_docstring(self, node) -> None:
        body = getattr(node, "body", [])
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            self.skip.add(id(body[0]))

    def visit_FunctionDef(self, node) -> None:
        self._mark_docstring(node)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            if arg.annotation is not None:
                self.skip.update(id(n) for n in ast.walk(arg.annotation))
        if node.returns is not None:
            self.skip.update(id(n) for n in ast.walk(node.returns))
        self.skip.update(id(n) for d in node.decorator_list for n in ast.walk(d))
        self.func_stack.append(_locals_of(node))
        self._body(node.body)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.func_stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._mark_docstring(node)
        self.skip.update(id(n) for d in node.decorator_list for n in ast.walk(d))
        self._body(node.body)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.skip.update(id(n) for n in ast.walk(node.annotation))
        self.generic_visit(node)

    def visit(self, node: ast.AST):
        if id(node) in self.skip:
            return None
        return super().visit(node)

    def _body(self, body: list[ast.stmt]) -> None:
        """Statement lists: candidates for dropping a statement or a guard clause."""
        droppable = [s for s in body if id(s) not in self.skip]
        for stmt in droppable:
            simple = isinstance(stmt, (ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign))
            guard = (
                isinstance(stmt, ast.If)
                and not stmt.orelse
                and len(stmt.body) == 1
                and isinstance(stmt.body[0], (ast.Return, ast.Continue, ast.Break, ast.Raise))
            )
            if (simple or guard) and stmt.end_lineno - stmt.lineno <= 2:
                start = self.src.starts[stmt.lineno - 1]
                end = self.src.starts[stmt.end_lineno]
                line_text = self.src.lines[stmt.lineno - 1]
                indent = line_text[: len(line_text) - len(line_text.lstrip())]
                before = self.src.text[start : self.src.offset(stmt.lineno, stmt.col_offset)]
                after = self.src.text[self.src.offset(stmt.end_lineno, stmt.end_col_offset) : end]
                if before.strip() or (after.strip() and not after.strip().startswith("#")):
                    continue  # shares its line with other code (`x = 1; y = 2`)
                repl = "" if len(droppable) > 1 else f"{indent}pass\n"
                op = "dropped_condition" if guard else "dropped_statement"
                what = "removed guard clause" if guard else "removed statement"
                self.add(op, start, end, repl, stmt.lineno, f"{what} `{line_text.strip()}`")
        for stmt in body:
            self.visit(stmt)

    def generic_visit(self, node: ast.AST) -> None:
        for field, value in ast.iter_fields(node):
            if (
                field in ("body", "orelse", "finalbody")
                and isinstance(value, list)
                and value
                and isinstance(value[0], ast.stmt)
                and not isinstance(node, ast.Module)
            ):
                self._body(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    # -- expression operators -------------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            old = _CMP_TEXT[type(op)]
            for new in _CMP_SWAPS[old]:
                self.between(operands[i], operands[i + 1], old, new, "compare", node.lineno)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        for a, b in zip(node.values, node.values[1:]):
            self.between(a, b, old, new, "boolean", node.lineno)
        if len(node.values) == 2:  # drop one side of a two-part condition
            for keep in node.values:
                self.add_node(
                    "dropped_condition", node, self.src.seg(keep), f"condition reduced to `{self.src.seg(keep)}`"
                )
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.add_node("boolean", node, self.src.seg(node.operand), "dropped `not`")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        old = _BIN_TEXT.get(type(node.op))
        if old:
            for new in _BIN_SWAPS[old]:
                self.between(node.left, node.right, old, new, "arithmetic", node.lineno)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        old = _BIN_TEXT.get(type(node.op))
        if old:
            for new in _BIN_SWAPS[old]:
                self.between(node.target, node.value, old + "=", new + "=", "arithmetic", node.lineno)
        self.generic_visit(node)

    def _plus_minus_one(self, node: ast.AST, what: str) -> None:
        text = self.src.seg(node)
        if "\n" in text:
            return
        m = re.fullmatch(r"(.*\S)\s*([+-])\s*1", text)
        if m:  # `n - 1` -> `n`
            self.add_node("off_by_one", node, m.group(1), f"{what} `{text}` -> `{m.group(1)}`")
        if not (isinstance(node, ast.Constant)):
            wrapped = f"({text})" if isinstance(node, (ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda)) else text
            for sign in ("+", "-"):
                self.add_node("off_by_one", node, f"{wrapped} {sign} 1", f"{what} `{text}` {sign} 1")

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "range"
            and node.args
            and not any(isinstance(a, ast.Starred) for a in node.args)
        ):
            if len(node.args) == 1:
                self._plus_minus_one(node.args[0], "range stop")
            else:
                self._plus_minus_one(node.args[0], "range start")
                self._plus_minus_one(node.args[1], "range stop")
        args = node.args
        if len(args) >= 2 and not any(isinstance(a, ast.Starred) for a in args):
            for a, b in zip(args, args[1:]):
                sa, sb = self.src.span(a), self.src.span(b)
                gap = self.src.text[sa[1] : sb[0]]
                if gap.strip() == "," and "\n" not in self.src.text[sa[0] : sb[1]]:
                    ta, tb = self.src.text[sa[0] : sa[1]], self.src.text[sb[0] : sb[1]]
                    if ta != tb:
                        self.add(
                            "swapped_arguments",
                            sa[0],
                            sb[1],
                            f"{tb}{gap}{ta}",
                            node.lineno,
                            f"swapped arguments `{ta}` and `{tb}`",
                        )
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        sl = node.slice
        if isinstance(sl, ast.Slice):
            for bound, name in ((sl.lower, "slice start"), (sl.upper, "slice stop")):
                if bound is not None:
                    self._plus_minus_one(bound, name)
        elif (
            isinstance(node.ctx, ast.Load)
            and not isinstance(sl, (ast.Constant, ast.Tuple))
            and not (isinstance(sl, ast.UnaryOp) and isinstance(sl.operand, ast.Constant))
        ):
            # index arithmetic; skip dict-style string keys and tuples
            self._plus_minus_one(sl, "index")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        text = self.src.seg(node)
        if isinstance(value, bool):
            self.add_node("changed_constant", node, str(not value), f"`{value}` -> `{not value}`")
        elif isinstance(value, int) and text.isdigit():
            for new in sorted({value + 1, max(value - 1, 0)} - {value}):
                self.add_node("changed_constant", node, str(new), f"constant `{value}` -> `{new}`")

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and self.func_stack:
            local = self.func_stack[-1]
            if node.id in local:
                others = [n for n in local if n != node.id]
                # the two nearest names in sorted order keep candidates few and plausible
                idx = sorted([*others, node.id]).index(node.id)
                for other in others[max(0, idx - 1) : idx + 1]:
                    self.add_node("wrong_variable", node, other, f"`{node.id}` -> `{other}`")

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            self.add_node("wrong_return", value, "None", f"returns None instead of `{self.src.seg(value)}`")
            if isinstance(value, (ast.Compare, ast.BoolOp, ast.Name)):
                seg = self.src.seg(value)
                negated = f"not {seg}" if isinstance(value, ast.Name) else f"not ({seg})"
                self.add_node("wrong_return", value, negated, f"returns the negation of `{self.src.seg(value)}`")
        self.generic_visit(node)


def find_mutations(file: str, source: str, operators: tuple[str, ...] = OPERATOR_CLASSES) -> list[Mutation]:
    """Every candidate mutation of one file, deduplicated and in a stable order."""
    finder = _Finder(file, source)
    finder.visit(ast.parse(source))
    unknown = set(operators) - set(OPERATOR_CLASSES)
    if unknown:
        raise ValueError(f"unknown mutation operators {sorted(unknown)}; known: {', '.join(OPERATOR_CLASSES)}")
    seen, out = set(), []
    for m in sorted(finder.found):
        key = (m.start, m.end, m.replacement)
        if m.operator in operators and key not in seen:
            seen.add(key)
            out.append(m)
    return out


def apply_mutations(files: dict[str, str], mutations: list[Mutation]) -> dict[str, str] | None:
    """Apply non-overlapping mutations (any files); None when spans overlap."""
    out = dict(files)
    by_file: dict[str, list[Mutation]] = {}
    for m in mutations:
        by_file.setdefault(m.file, []).append(m)
    for file, ms in by_file.items():
        ms = sorted(ms, key=lambda m: m.start)
        if any(a.end > b.start for a, b in zip(ms, ms[1:])):
            return None
        text = out[file]
        for m in reversed(ms):
            text = m.apply(text)
        out[file] = text
    return out
