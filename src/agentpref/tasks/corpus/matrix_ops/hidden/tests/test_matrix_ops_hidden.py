import itertools
import random

from matrix_ops import determinant, identity, multiply, power, transpose


def permutation_det(m):
    n = len(m)
    total = 0
    for perm in itertools.permutations(range(n)):
        inversions = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        product = 1
        for row, col in enumerate(perm):
            product *= m[row][col]
        total += -product if inversions % 2 else product
    return total


def random_matrix(rng, rows, cols):
    return [[rng.randint(-4, 4) for _ in range(cols)] for _ in range(rows)]


def test_random_determinants_against_permutation_formula():
    rng = random.Random(53)
    for _ in range(100):
        n = rng.randint(1, 4)
        m = random_matrix(rng, n, n)
        assert determinant(m) == permutation_det(m)


def test_random_products():
    rng = random.Random(54)
    for _ in range(50):
        n, k, p = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
        a, b = random_matrix(rng, n, k), random_matrix(rng, k, p)
        product = multiply(a, b)
        assert transpose(product) == multiply(transpose(b), transpose(a))
        assert product == [[sum(a[i][t] * b[t][j] for t in range(k)) for j in range(p)] for i in range(n)]


def test_power_matches_repeated_multiplication():
    rng = random.Random(55)
    m = random_matrix(rng, 3, 3)
    expected = identity(3)
    for e in range(7):
        assert power(m, e) == expected
        expected = multiply(expected, m)


def test_determinant_of_product():
    rng = random.Random(56)
    a, b = random_matrix(rng, 3, 3), random_matrix(rng, 3, 3)
    assert determinant(multiply(a, b)) == determinant(a) * determinant(b)
