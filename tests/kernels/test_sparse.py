"""The threaded CSR product of the community family's Lanczos runs: scipy's product bit
for bit, whatever the thread count and index type, and malformed arrays refused once, at
construction (the product itself never reads outside its arrays)."""
import numpy as np
import pytest
import scipy.sparse as sp

from clusterkit._fast._sparse import CSROperator


def _random_csr(n_rows=300, n_cols=200, density=0.05, seed=0):
    return sp.random_array((n_rows, n_cols), density=density, format="csr",
                           rng=np.random.default_rng(seed))


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_product_equals_scipy_bit_for_bit(n_threads, index_dtype):
    A = _random_csr()
    A.indices = A.indices.astype(index_dtype)
    A.indptr = A.indptr.astype(index_dtype)
    x = np.random.default_rng(1).normal(size=A.shape[1])
    out = CSROperator(A, n_threads=n_threads).matvec(x)
    assert out.shape == (A.shape[0],)
    np.testing.assert_array_equal(out, A @ x)


def test_unsorted_indices_empty_rows_and_a_given_buffer():
    A = sp.csr_array((np.array([1.0, 2.0, 3.0]), np.array([2, 0, 1]),
                      np.array([0, 2, 2, 3])), shape=(3, 3))  # row 0 unsorted, row 1 empty
    out = np.full(3, np.nan)
    res = CSROperator(A, n_threads=2).matvec(np.array([1.0, 10.0, 100.0]), out)
    np.testing.assert_array_equal(res, [102.0, 0.0, 30.0])
    np.testing.assert_array_equal(out, res)


def test_the_operator_keeps_its_own_copy():
    A = _random_csr(seed=3)
    op = CSROperator(A)
    expected = A @ np.ones(A.shape[1])
    A.data[:] = 0.0
    np.testing.assert_array_equal(op.matvec(np.ones(A.shape[1])), expected)


def test_malformed_arrays_are_refused():
    A = _random_csr(20, 10, seed=2)
    bad = A.copy()
    bad.indices = bad.indices.copy()
    bad.indices[0] = 10  # one past the last column
    with pytest.raises(ValueError, match="column index lies outside 0..9"):
        CSROperator(bad)
    bad = A.copy()
    bad.indptr = bad.indptr.copy()
    bad.indptr[3], bad.indptr[4] = bad.indptr[4] + 1, bad.indptr[3]
    with pytest.raises(ValueError, match="non-decreasing"):
        CSROperator(bad)
    op = CSROperator(A)
    with pytest.raises(ValueError, match="x has 9 entries, the matrix 10 columns"):
        op.matvec(np.ones(9))
    with pytest.raises(ValueError, match="out has 3 entries, the matrix 20 rows"):
        op.matvec(np.ones(10), np.empty(3))
