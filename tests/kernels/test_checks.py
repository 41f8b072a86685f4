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


# -- the fast pass: one read of D, only "valid or not" ------------------------------------

from clusterkit._fast._checks import dissimilarity_ok  # noqa: E402

# sizes around the micro-blocks (2 and 4), the 32-row tiles and the 1024-column tiles
SIZES = [1, 2, 3, 4, 5, 7, 31, 32, 33, 63, 66, 130, 1029]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_fast_pass_accepts_clean_matrices(dtype, n_threads):
    for n in SIZES:
        D = matrix(n, dtype, seed=n)
        assert dissimilarity_ok(D, 1e-5, 0.0, n_threads), n
    D = np.full((9, 9), np.finfo(dtype).max, dtype=dtype)  # huge but finite
    np.fill_diagonal(D, 0)
    D[1, 2] = D[2, 1] = -0.0  # a negative zero is a zero
    assert dissimilarity_ok(D, 1e-5, 0.0, n_threads)
    assert dissimilarity_ok(np.zeros((0, 0), dtype=dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, -1e-30, "asymmetric",
                                   "diagonal"])
def test_fast_pass_rejects_one_bad_entry_anywhere(dtype, value):
    rng = np.random.default_rng(7)
    for n in SIZES:
        D0 = matrix(n, dtype, seed=n)
        # every corner, the last rows and columns (beyond the micro-blocks) and random
        places = {(0, n - 1), (n - 1, 0), (n - 1, n - 2), (n - 2, n - 1)} if n > 1 else set()
        places |= {tuple(int(v) for v in rng.integers(n, size=2)) for _ in range(6)}
        for i, j in places:
            D = D0.copy()
            if value == "diagonal":
                D[i, i] = 0.25
            elif i == j:
                continue
            elif value == "asymmetric":
                D[i, j] = D[i, j] * (1 + 1e-3) + 1e-3
            else:
                D[i, j] = value
            for nt in (1, 2):
                assert not dissimilarity_ok(D, 1e-5, 0.0, nt), (n, i, j, nt)
                # and the exact scan names a problem
                assert check_dissimilarity(D, 1e-5, 0.0)[0] is not None


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-9), (np.float32, 1e-5)])
def test_fast_pass_is_never_more_lenient_than_the_exact_scan(dtype, rtol):
    # asymmetries from a third of the tolerance to three times it: whatever the exact scan
    # rejects, the fast pass rejects too (it may reject more: the exact scan then decides)
    rng = np.random.default_rng(3)
    D0 = matrix(70, dtype)
    for _ in range(300):
        D = D0.copy()
        i, j = (int(v) for v in rng.choice(70, 2, replace=False))
        f = rng.uniform(1 / 3, 3)
        D[i, j] = dtype(D[i, j] * (1 + f * rtol))
        exact = check_dissimilarity(D, rtol, 0.0)[0]
        fast = dissimilarity_ok(D, rtol, 0.0, 1)
        assert not (exact is not None and fast), (f, exact, fast)
        if f < 0.4 and D[i, j] != D0[i, j]:
            assert exact is None  # well inside the tolerance: nothing to report


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_pass_finds_every_pair_at_every_offset_in_a_cache_line(dtype):
    # the pass cuts rows into bands on the mirror's cache-line boundaries when every row
    # starts at the same place in a line (rows of a multiple of 64 bytes): wherever the
    # matrix starts, every pair is still looked at, and a clean matrix passes
    item = np.dtype(dtype).itemsize
    rng = np.random.default_rng(11)
    for n in (16, 40, 48, 50):
        D0 = matrix(n, dtype, seed=n)
        buf = np.empty(n * n + 64 // item, dtype=dtype)
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
        if n > 40:
            pairs = [pairs[t] for t in rng.choice(len(pairs), 300, replace=False)]
        for off in range(64 // item):
            D = buf[off:off + n * n].reshape(n, n)
            D[...] = D0
            assert dissimilarity_ok(D, 1e-5, 0.0, 1), (n, off)
            for i, j in pairs:
                D[i, j] = D0[i, j] * (1 + 1e-3) + 1e-3
                assert not dissimilarity_ok(D, 1e-5, 0.0, 1), (n, off, i, j)
                D[i, j] = D0[i, j]
