"""Sparse matrix-vector products on several threads (the community family's Lanczos runs).

scipy's CSR product runs on one thread; a Lanczos count of a Bethe-Hessian's negative
eigenvalues on a 10^6-node graph spends almost all its time in about a thousand of them.
:class:`CSROperator` checks the CSR arrays once, keeps its own int32 (or int64) copy, and
then multiplies without re-checking. Rows are split into contiguous static blocks, one per
thread: every output entry is the sum of its row in the stored order, so the result does
not depend on the thread count (bit for bit equal to a serial loop over each row).
"""
import numpy as np

from cython.parallel cimport prange

from clusterkit._fast._typedefs cimport intp_t

# column indices: int32 below 2^31 columns (less memory traffic per product), else int64
ctypedef fused index_t:
    int
    long long


cdef class CSROperator:
    """``A @ x`` for a square or rectangular CSR matrix ``A``, on ``n_threads`` threads.

    Parameters
    ----------
    A : scipy.sparse CSR array or matrix (float64 values)
        Checked here once: sorted or unsorted column indices are both fine, but every
        index must lie inside the matrix and ``indptr`` must be non-decreasing.
    n_threads : int, default=1
        OpenMP threads of every product.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from clusterkit._fast._sparse import CSROperator
    >>> A = sp.csr_array(np.array([[2.0, 0.0], [1.0, 3.0]]))
    >>> CSROperator(A, n_threads=2).matvec(np.array([1.0, 1.0]))
    array([2., 4.])
    """

    cdef readonly intp_t n_rows, n_cols
    cdef public int n_threads
    cdef long long[::1] indptr
    cdef int[::1] indices32
    cdef long long[::1] indices64
    cdef double[::1] data
    cdef bint wide

    def __init__(self, A, n_threads=1):
        n_rows, n_cols = A.shape
        indptr = np.asarray(A.indptr, dtype=np.int64)
        indices = np.asarray(A.indices)
        data = np.ascontiguousarray(A.data, dtype=np.float64)
        if indptr.shape[0] != n_rows + 1:
            raise ValueError("indptr must have n_rows + 1 entries")
        if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must start at 0 and be non-decreasing")
        nnz = int(indptr[n_rows])
        if indices.shape[0] < nnz or data.shape[0] < nnz:
            raise ValueError("indices and data are shorter than indptr says")
        indices = indices[:nnz]
        if nnz and (indices.min() < 0 or indices.max() >= n_cols):
            raise ValueError(f"a column index lies outside 0..{n_cols - 1}")
        self.n_rows, self.n_cols = n_rows, n_cols
        self.n_threads = max(int(n_threads), 1)
        self.indptr = indptr.copy()
        self.data = data[:nnz].copy()
        self.wide = n_cols > np.iinfo(np.int32).max
        if self.wide:
            self.indices64 = indices.astype(np.int64)  # a copy
        else:
            self.indices32 = indices.astype(np.int32)  # a copy

    @property
    def shape(self):
        return (self.n_rows, self.n_cols)

    def matvec(self, const double[::1] x, double[::1] out=None):
        """``A @ x`` into ``out`` (allocated when None); returns ``out``.

        Parameters
        ----------
        x : ndarray of float64 of shape (n_cols,), C-contiguous
        out : ndarray of float64 of shape (n_rows,), optional

        Returns
        -------
        out : ndarray of float64 of shape (n_rows,)
        """
        if x.shape[0] != self.n_cols:
            raise ValueError(f"x has {x.shape[0]} entries, the matrix {self.n_cols} columns")
        if out is None:
            out = np.empty(self.n_rows)
        elif out.shape[0] != self.n_rows:
            raise ValueError(f"out has {out.shape[0]} entries, the matrix {self.n_rows} rows")
        if self.wide:
            _matvec(self.indptr, self.indices64, self.data, x, out, self.n_threads)
        else:
            _matvec(self.indptr, self.indices32, self.data, x, out, self.n_threads)
        return np.asarray(out)


cdef void _matvec(const long long[::1] indptr, const index_t[::1] indices,
                  const double[::1] data, const double[::1] x, double[::1] out,
                  int n_threads) noexcept nogil:
    cdef intp_t i, p
    cdef double s
    for i in prange(out.shape[0], num_threads=n_threads, schedule="static"):
        s = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            s = s + data[p] * x[indices[p]]
        out[i] = s
