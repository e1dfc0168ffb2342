"""Heap sort built on an array-backed binary max-heap."""


def sift_down(heap, start, end):
    """Move ``heap[start]`` down until the max-heap property holds within ``heap[:end]``."""
    root = start
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        # Pick the larger of the two children.
        if child + 1 < end and heap[child + 1] > heap[child]:
            child += 1
        if heap[root] >= heap[child]:
            return
        heap[root], heap[child] = heap[child], heap[root]
        root = child


def heapify(arr):
    """Rearrange ``arr`` in place into a max-heap (``arr[0]`` is the largest)."""
    for start in range(len(arr) // 2 - 1, -1, -1):
        sift_down(arr, start, len(arr))


def is_max_heap(arr):
    """Return True if every parent in ``arr`` is ``>=`` its children."""
    return all(arr[(i - 1) // 2] >= arr[i] for i in range(1, len(arr)))


def heap_sort(items, reverse=False):
    """Return a new list with ``items`` in ascending order (descending if ``reverse``)."""
    arr = list(items)
    heapify(arr)
    for end in range(len(arr) - 1, 0, -1):
        # The maximum of the remaining heap moves to its final slot.
        arr[0], arr[end] = arr[end], arr[0]
        sift_down(arr, 0, end)
    if reverse:
        arr.reverse()
    return arr
