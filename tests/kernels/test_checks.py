"""The validation kernel: it finds every kind of problem wherever it sits and reports its
position."""
import numpy as np
import pytest
from sklearn.metrics import pairwise_distances

from clusterkit._fast._checks import check_dissimilarity


def matrix(n, dtype, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, 3))
    D = pairwise_distances(X)
    D = (D + D.T) / 2
    np.fill_diagonal(D, 0)
    return np.ascontiguousarray(D, dtype=dtype)


PROBLEMS = {
    "nonfinite": lambda D, i, j: D.__setitem__((i, j), np.nan),
    "negative": lambda D, i, j: D.__setitem__((i, j), -1.0),
    "asymmetric": lambda D, i, j: D.__setitem__((i, j), D[i, j] + 1.0),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_clean_matrix_passes(dtype):
    assert check_dissimilarity(matrix(201, dtype), 1e-5, 0.0) == (None, -1, -1)
    assert check_dissimilarity(np.zeros((0, 0)), 1e-9) == (None, -1, -1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("problem", list(PROBLEMS) + ["diagonal", "inf"])
def test_one_problem_anywhere_is_found_at_its_place(dtype, problem):
    rng = np.random.default_rng(1)
    for _ in range(15):
        n = int(rng.integers(2, 150))
        D = matrix(n, dtype, seed=int(rng.integers(1000)))
        i, j = (int(v) for v in rng.integers(n, size=2))
        if problem == "diagonal":
            D[i, i] = 0.5
            expect = {(i, i)}
        elif problem == "inf":
            if i == j:
                continue
            D[i, j] = np.inf
            expect = {(i, j), (j, i)}
        else:
            if i == j:
                continue
            PROBLEMS[problem](D, i, j)
            expect = {(i, j), (j, i)}
        kind = "nonfinite" if problem == "inf" else problem
        found = check_dissimilarity(D, 1e-5, 0.0)
        assert found[0] == kind and (found[1], found[2]) in expect


def test_the_first_problem_in_scan_order_is_reported():
    D = matrix(300, np.float64)
    D[250, 10] = -1.0
    D[40, 200] = np.nan
    D[5, 290] += 1.0
    results = {check_dissimilarity(D, 1e-9, 0.0)}
    # the scan goes by 64 x 64 blocks of the upper triangle: the pair (10, 250) lies in an
    # earlier block than (5, 290) or (40, 200); the negative entry itself is named
    assert results == {("negative", 250, 10)}


def test_huge_finite_values_are_not_flagged():
    D = np.full((70, 70), 1e308)
    np.fill_diagonal(D, 0)
    assert check_dissimilarity(D, 1e-9) == (None, -1, -1)
