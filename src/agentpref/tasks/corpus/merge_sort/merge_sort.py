"""Stable top-down merge sort with an optional key function."""


def merge(left, right, key):
    """Merge two lists already sorted by ``key`` into one sorted list (stable)."""
    merged = []
    i = j = 0
    while i < len(left) and j < len(right):
        # Taking from the left on ties keeps equal keys in their input order.
        if key(right[j]) < key(left[i]):
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged


def merge_sort(items, key=None, reverse=False):
    """Return a new list with ``items`` sorted stably by ``key``.

    With ``reverse=True`` the order is descending, and equal keys still keep
    their input order, exactly like ``sorted(items, key=key, reverse=True)``.
    """
    keyfunc = key if key is not None else (lambda x: x)
    data = list(items)
    if reverse:
        data.reverse()
        result = _sort(data, keyfunc)
        result.reverse()
        return result
    return _sort(data, keyfunc)


def _sort(data, keyfunc):
    if len(data) <= 1:
        return list(data)
    mid = len(data) // 2
    left = _sort(data[:mid], keyfunc)
    right = _sort(data[mid:], keyfunc)
    return merge(left, right, keyfunc)
