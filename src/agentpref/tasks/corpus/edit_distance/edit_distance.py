"""Levenshtein edit distance with configurable costs and a recovered list of edit operations.

Operations are tuples: ``("keep", x)``, ``("substitute", x, y)``, ``("insert", y)`` and
``("delete", x)``; applying them left to right turns the source into the target.
"""


def distance_table(a, b, insert_cost=1, delete_cost=1, substitute_cost=1):
    """``table[i][j]`` is the cheapest cost of turning ``a[:i]`` into ``b[:j]``."""
    rows, cols = len(a) + 1, len(b) + 1
    table = [[0] * cols for _ in range(rows)]
    for i in range(1, rows):
        table[i][0] = table[i - 1][0] + delete_cost
    for j in range(1, cols):
        table[0][j] = table[0][j - 1] + insert_cost
    for i in range(1, rows):
        for j in range(1, cols):
            if a[i - 1] == b[j - 1]:
                diagonal = table[i - 1][j - 1]
            else:
                diagonal = table[i - 1][j - 1] + substitute_cost
            table[i][j] = min(
                diagonal,
                table[i - 1][j] + delete_cost,
                table[i][j - 1] + insert_cost,
            )
    return table


def edit_distance(a, b, insert_cost=1, delete_cost=1, substitute_cost=1):
    """Minimum total cost of insertions, deletions and substitutions turning ``a`` into ``b``."""
    return distance_table(a, b, insert_cost, delete_cost, substitute_cost)[len(a)][len(b)]


def edit_operations(a, b, insert_cost=1, delete_cost=1, substitute_cost=1):
    """One cheapest list of operations (keeps, then substitutions, are preferred on ties)."""
    table = distance_table(a, b, insert_cost, delete_cost, substitute_cost)
    i, j = len(a), len(b)
    ops = []
    while i > 0 or j > 0:
        if i > 0 and j > 0 and a[i - 1] == b[j - 1] and table[i][j] == table[i - 1][j - 1]:
            ops.append(("keep", a[i - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and j > 0 and table[i][j] == table[i - 1][j - 1] + substitute_cost:
            ops.append(("substitute", a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and table[i][j] == table[i - 1][j] + delete_cost:
            ops.append(("delete", a[i - 1]))
            i -= 1
        else:
            ops.append(("insert", b[j - 1]))
            j -= 1
    ops.reverse()
    return ops


def apply_operations(source, ops):
    """Replay ``ops`` on ``source`` and return the resulting string; ValueError on a mismatch."""
    out = []
    pos = 0
    for op in ops:
        kind = op[0]
        if kind == "insert":
            out.append(op[1])
            continue
        if pos >= len(source) or source[pos] != op[1]:
            raise ValueError(f"operation {op} does not match the source at position {pos}")
        if kind == "keep":
            out.append(op[1])
        elif kind == "substitute":
            out.append(op[2])
        elif kind != "delete":
            raise ValueError(f"unknown operation {kind!r}")
        pos += 1
    if pos != len(source):
        raise ValueError("operations do not consume the whole source")
    return "".join(out)
