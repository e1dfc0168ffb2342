"""0/1 knapsack by dynamic programming: best value, and which items to take.

Items are given as parallel lists of non-negative integer weights and numeric values; each item can
be taken at most once.
"""


def _validate(weights, values, capacity):
    if len(weights) != len(values):
        raise ValueError("weights and values must have the same length")
    if capacity < 0:
        raise ValueError("capacity must be non-negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")


def max_value(weights, values, capacity):
    """Best total value that fits in ``capacity`` (one-dimensional table)."""
    _validate(weights, values, capacity)
    best = [0] * (capacity + 1)
    for weight, value in zip(weights, values):
        for room in range(capacity, weight - 1, -1):
            best[room] = max(best[room], best[room - weight] + value)
    return best[capacity]


def knapsack(weights, values, capacity):
    """Return ``(best_value, chosen)`` where ``chosen`` is a sorted list of item indices."""
    _validate(weights, values, capacity)
    n = len(weights)
    table = [[0] * (capacity + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        weight, value = weights[i - 1], values[i - 1]
        for room in range(capacity + 1):
            table[i][room] = table[i - 1][room]
            if weight <= room and table[i - 1][room - weight] + value > table[i][room]:
                table[i][room] = table[i - 1][room - weight] + value
    chosen = []
    room = capacity
    for i in range(n, 0, -1):
        if table[i][room] != table[i - 1][room]:
            chosen.append(i - 1)
            room -= weights[i - 1]
    chosen.reverse()
    return table[n][capacity], chosen


def fits(weights, chosen, capacity):
    """True when the chosen item indices are distinct and their total weight fits."""
    return len(set(chosen)) == len(chosen) and sum(weights[i] for i in chosen) <= capacity
