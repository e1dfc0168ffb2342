import math

import pytest

from sparse_vector import SparseVector


def test_from_list_and_back():
    v = SparseVector.from_list([0, 3, 0, -2, 0])
    assert v.dim == 5
    assert v.nnz() == 2
    assert v.to_list() == [0, 3, 0, -2, 0]


def test_constructor_drops_zero_entries():
    v = SparseVector(4, {0: 1, 2: 0})
    assert v.nnz() == 1
    assert v.to_list() == [1, 0, 0, 0]


def test_negative_dimension():
    with pytest.raises(ValueError):
        SparseVector(-1)


def test_empty_vector():
    v = SparseVector(0)
    assert v.to_list() == []
    assert v.norm() == 0
    assert v.dot(SparseVector(0)) == 0


def test_get_and_set():
    v = SparseVector(3)
    v[2] = 7
    assert v[2] == 7
    assert v[0] == 0
    v[2] = 0
    assert v.nnz() == 0


@pytest.mark.parametrize("index", [-1, 3, 10])
def test_index_out_of_range(index):
    v = SparseVector(3)
    with pytest.raises(IndexError):
        v[index]
    with pytest.raises(IndexError):
        v[index] = 1


@pytest.mark.parametrize(
    "a, b, expected",
    [([1, 2, 3], [4, 5, 6], 32), ([1, 0, 0], [0, 1, 0], 0), ([0, -2, 0, 3], [5, 4, 0, -1], -11),
     ([0, 0, 0], [1, 2, 3], 0), ([2, 2, 2], [0, 0, 1], 2)],
)
def test_dot(a, b, expected):
    va, vb = SparseVector.from_list(a), SparseVector.from_list(b)
    assert va.dot(vb) == expected
    assert vb.dot(va) == expected


def test_dimension_mismatch():
    a, b = SparseVector(3), SparseVector(4)
    with pytest.raises(ValueError):
        a.dot(b)
    with pytest.raises(ValueError):
        a + b
    with pytest.raises(ValueError):
        a - b


def test_add_and_subtract():
    a = SparseVector.from_list([1, 0, 2, 0])
    b = SparseVector.from_list([0, 3, -2, 0])
    assert (a + b).to_list() == [1, 3, 0, 0]
    assert (a + b).nnz() == 2
    assert (a - b).to_list() == [1, -3, 4, 0]
    assert a.to_list() == [1, 0, 2, 0]


def test_cancellation_leaves_no_stored_zeros():
    a = SparseVector.from_list([5, 0, -1])
    zero = a - a
    assert zero.nnz() == 0
    assert zero == SparseVector(3)
    assert a + a.scale(-1) == SparseVector(3)


def test_scale():
    a = SparseVector.from_list([1, 0, -3])
    assert a.scale(2).to_list() == [2, 0, -6]
    assert a.scale(0).nnz() == 0
    assert a.scale(-1).to_list() == [-1, 0, 3]
    assert a.scale(1) == a
    assert a.to_list() == [1, 0, -3]


def test_norm():
    assert SparseVector.from_list([3, 0, 4]).norm() == 5
    assert math.isclose(SparseVector.from_list([1, 1]).norm(), math.sqrt(2))
    assert SparseVector(5).norm() == 0


def test_equality():
    assert SparseVector.from_list([1, 0]) == SparseVector(2, {0: 1})
    assert SparseVector(2) != SparseVector(3)
    assert SparseVector.from_list([1, 0]) != SparseVector.from_list([0, 1])
    assert (SparseVector(1) == [0]) is False
    assert SparseVector(1) != [0]


def test_repr():
    assert repr(SparseVector(4, {3: 2, 1: -1})) == "SparseVector(4, {1: -1, 3: 2})"
