"""Euclidean distances from Gram blocks: one read of the block, one write of the matrix
and its mirror (the C loops are in ``_gram.h``)."""
from cython cimport floating

from clusterkit._fast._typedefs cimport intp_t


cdef extern from "_gram.h" nogil:
    void ck_gram_block_d(const double* G, intp_t ldg, const double* sq, intp_t a, intp_t b,
                         intp_t n, double* D)
    void ck_gram_block_f(const double* G, intp_t ldg, const double* sq, intp_t a, intp_t b,
                         intp_t n, float* D)


def distances_from_gram(const double[:, :] G, const double[::1] sq, intp_t a,
                        floating[:, ::1] D):
    """Write rows ``[a, a + len(G))`` of the euclidean matrix ``D`` from their Gram block.

    ``G[r, c]`` is ``x_{a+r} . x_{a+c}`` for the columns ``a .. n-1`` (only ``c > r`` is
    read); ``sq`` holds the squared norms of all ``n`` rows. For ``i`` in the block and
    ``j > i``, ``D[i, j]`` and ``D[j, i]`` become ``sqrt(max(0, (-2 x_i.x_j + sq[i]) +
    sq[j]))``, computed in float64 and rounded once to D's dtype; ``D[i, i]`` becomes 0.
    Nothing else of D is written. For float64, ``G`` may be the view ``D[a:b, a:]``.
    The GIL is released.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._fast._gram import distances_from_gram
    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    >>> D = np.full((3, 3), -1.0)
    >>> distances_from_gram(X @ X.T, np.einsum("ij,ij->i", X, X), 0, D)
    >>> D
    array([[ 0.,  5., 10.],
           [ 5.,  0.,  5.],
           [10.,  5.,  0.]])
    """
    cdef intp_t n = D.shape[0], m = G.shape[0], ldg
    if D.shape[1] != n:
        raise ValueError(f"D must be square, got shape ({n}, {D.shape[1]})")
    if sq.shape[0] != n:
        raise ValueError(f"sq must hold {n} squared norms, got {sq.shape[0]}")
    if not 0 <= a < n or m < 1 or a + m > n or G.shape[1] != n - a:
        raise ValueError(f"G of shape ({m}, {G.shape[1]}) is not a Gram block of rows "
                         f"starting at {a} against columns {a} .. {n - 1}")
    # the stride of a length-1 axis is never used
    if (G.shape[1] > 1 and G.strides[1] != sizeof(double)) or (m > 1 and (
            G.strides[0] % sizeof(double) != 0
            or G.strides[0] < G.shape[1] * <intp_t> sizeof(double))):
        raise ValueError("G must have contiguous rows that do not overlap")
    ldg = G.strides[0] // sizeof(double) if m > 1 else 0
    with nogil:
        if floating is double:
            ck_gram_block_d(&G[0, 0], ldg, &sq[0], a, a + m, n, &D[0, 0])
        else:
            ck_gram_block_f(&G[0, 0], ldg, &sq[0], a, a + m, n, &D[0, 0])
