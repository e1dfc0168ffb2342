"""Stable insertion sort with key and reverse, like ``sorted`` for small inputs."""


def insertion_sort(items, key=None, reverse=False):
    """Return a new sorted list; equal keys keep their input order (stable)."""
    result = list(items)
    keyfunc = key if key is not None else (lambda x: x)

    def out_of_order(k, current_key):
        # Strict comparison keeps the sort stable: equal keys are never moved past each other.
        if reverse:
            return k < current_key
        return k > current_key

    for i in range(1, len(result)):
        current = result[i]
        current_key = keyfunc(current)
        j = i - 1
        while j >= 0 and out_of_order(keyfunc(result[j]), current_key):
            result[j + 1] = result[j]
            j -= 1
        result[j + 1] = current
    return result
