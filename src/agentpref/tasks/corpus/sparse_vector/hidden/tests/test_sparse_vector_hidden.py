import math
import random

from sparse_vector import SparseVector


def test_random_against_dense_lists():
    rng = random.Random(47)
    for _ in range(100):
        dim = rng.randint(0, 8)
        a = [rng.choice([0, 0, rng.randint(-5, 5)]) for _ in range(dim)]
        b = [rng.choice([0, 0, rng.randint(-5, 5)]) for _ in range(dim)]
        va, vb = SparseVector.from_list(a), SparseVector.from_list(b)
        assert va.dot(vb) == sum(x * y for x, y in zip(a, b))
        total = [x + y for x, y in zip(a, b)]
        assert (va + vb).to_list() == total
        assert (va + vb).nnz() == sum(1 for x in total if x)
        assert (va - vb).to_list() == [x - y for x, y in zip(a, b)]
        assert math.isclose(va.norm(), math.sqrt(sum(x * x for x in a)))
        assert va.scale(3).to_list() == [3 * x for x in a]


def test_float_entries():
    v = SparseVector.from_list([0.5, 0.0, -1.5])
    assert v.nnz() == 2
    assert v.dot(v) == 2.5


def test_compare_with_other_type():
    assert SparseVector(1) != [0]


def test_overwrite_with_zero_and_zero_dimension_arithmetic():
    v = SparseVector(3, {1: 4})
    v[1] = 0
    assert v == SparseVector(3)
    empty = SparseVector(0)
    assert (empty + empty) == SparseVector(0)
    assert (empty - empty).to_list() == []
