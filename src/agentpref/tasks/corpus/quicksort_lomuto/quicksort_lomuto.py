"""In-place quicksort using the Lomuto partition scheme."""


def partition(arr, lo, hi):
    """Partition ``arr[lo:hi + 1]`` around the pivot ``arr[hi]``.

    Afterwards every element left of the returned index is ``<=`` the pivot,
    the pivot sits at the returned index, and every element right of it is
    greater than the pivot.
    """
    pivot = arr[hi]
    store = lo
    for i in range(lo, hi):
        if arr[i] <= pivot:
            arr[i], arr[store] = arr[store], arr[i]
            store += 1
    arr[store], arr[hi] = arr[hi], arr[store]
    return store


def quicksort_inplace(arr, lo=0, hi=None):
    """Sort ``arr[lo:hi + 1]`` in place (``hi`` defaults to the last index) and return ``arr``."""
    if hi is None:
        hi = len(arr) - 1
    while lo < hi:
        p = partition(arr, lo, hi)
        # Recurse into the smaller side and loop on the larger one to bound the stack depth.
        if p - lo < hi - p:
            quicksort_inplace(arr, lo, p - 1)
            lo = p + 1
        else:
            quicksort_inplace(arr, p + 1, hi)
            hi = p - 1
    return arr


def quicksort(items):
    """Return a new sorted list with the elements of ``items``."""
    return quicksort_inplace(list(items))
