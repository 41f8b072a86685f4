"""Validation of dissimilarity matrices: one threaded, branch-free pass (no temporaries).

The pass over the upper triangle reads every entry once (``D[i, j]`` in row order and its
mirror ``D[j, i]`` from the same block pair, transposed in L1) and only ORs problem flags per block
row, so it runs at about the speed of one read of D. Only when a flag is raised is the
first problem located, by a second, sequential pass in a fixed order, so the reported
position never depends on the thread count.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport isfinite

from clusterkit._fast._typedefs cimport intp_t

cdef enum:
    BLOCK = 32


cdef bint _block_row_is_bad(const floating[:, ::1] D, intp_t bi, double rtol,
                            double atol) noexcept nogil:
    """Whether the block row starting at ``bi`` (rows bi..bi+BLOCK-1, columns from bi on)
    holds a problem. Each mirror block is first copied, transposed, into a small buffer
    that stays in L1, so both operands of a pair are read contiguously; the loop keeps
    three running summaries instead of branching on every entry:

    * ``nonfinite``, a sum of ``x * 0``: 0 unless some entry is NaN or infinite;
    * ``lowest``, the smallest entry (negative entries);
    * ``excess``, the largest ``|a - b| - (atol + rtol * max(a, b))`` (asymmetry: > 0
      exactly when the pair is out of tolerance, since a rounded difference keeps its
      sign).
    """
    cdef intp_t n = D.shape[0], bj, i, j, iend = min(n, bi + BLOCK), jend
    cdef double mirror[BLOCK * BLOCK]
    cdef const floating* row
    cdef double* mrow
    cdef double a, b, big, diff, ex
    cdef double nonfinite = 0.0, lowest = 0.0, excess = -1.0
    cdef bint diagonal = False
    for i in range(bi, iend):
        diagonal = diagonal | (D[i, i] != 0)
    bj = bi
    while bj < n:
        jend = min(n, bj + BLOCK)
        # mirror[(i - bi) * BLOCK + (j - bj)] = D[j, i], read row by row
        for j in range(bj, jend):
            row = &D[j, 0]
            for i in range(bi, iend):
                mirror[(i - bi) * BLOCK + (j - bj)] = row[i]
        for i in range(bi, iend):
            row = &D[i, 0]
            mrow = &mirror[(i - bi) * BLOCK - bj]
            for j in range(max(i + 1, bj), jend):
                a = row[j]
                b = mrow[j]
                nonfinite = nonfinite + (a * 0.0 + b * 0.0)
                big = a if a > b else b
                lowest = lowest if lowest < a else a
                lowest = lowest if lowest < b else b
                diff = a - b if a > b else b - a
                ex = diff - (atol + rtol * big)
                excess = excess if excess > ex else ex
        bj += BLOCK
    return diagonal or not (nonfinite == 0.0) or lowest < 0 or excess > 0


def check_dissimilarity(
    const floating[:, ::1] D,   # IN (n, n) matrix to check
    double rtol=1e-7,
    double atol=0.0,
    int n_threads=1,
):
    """Look for the first problem of a square dissimilarity matrix.

    Entries ``a = D[i, j]`` and ``b = D[j, i]`` count as symmetric when
    ``|a - b| <= atol + rtol * max(a, b)``. Problems, in the order they are reported for
    one pair: a non-finite entry, a negative entry, a nonzero diagonal, asymmetry.

    Returns
    -------
    problem : str or None
        None, or one of "nonfinite", "negative", "diagonal", "asymmetric".
    i, j : int
        Position of the first problem found (-1 when there is none).
    """
    cdef intp_t n = D.shape[0], nb = (D.shape[0] + BLOCK - 1) // BLOCK, b
    cdef intp_t first = nb
    flags_arr = bytearray(nb)
    cdef unsigned char[::1] flags = flags_arr
    if n == 0:
        return None, -1, -1
    with nogil:
        for b in prange(nb, num_threads=max(1, n_threads), schedule='dynamic'):
            flags[b] = _block_row_is_bad(D, b * BLOCK, rtol, atol)
        for b in range(nb):
            if flags[b]:
                first = b
                break
    if first == nb:
        return None, -1, -1
    # the first flagged block row of size BLOCK lies in the locating pass's block row of
    # size 64 that contains it; earlier 64-rows hold no problem
    return _locate(D, (first * BLOCK) // 64 * 64, rtol, atol)


def _locate(const floating[:, ::1] D, intp_t start, double rtol, double atol):
    """The first problem, scanning block rows from ``start`` (the first flagged one) in
    the order of the original blocked pass: block column, row, column."""
    cdef intp_t n = D.shape[0], bi, bj, i, j, iend, jend, bs = 64
    cdef intp_t pi = -1, pj = -1
    cdef int code = 0
    cdef double a, b, tol
    with nogil:
        bi = start
        while bi < n and code == 0:
            iend = min(n, bi + bs)
            bj = bi
            while bj < n and code == 0:
                jend = min(n, bj + bs)
                for i in range(bi, iend):
                    for j in range(max(i, bj), jend):
                        a = D[i, j]
                        b = D[j, i]
                        if not (isfinite(a) and isfinite(b)):
                            code = 1
                        elif a < 0 or b < 0:
                            code = 2
                        elif i == j and a != 0:
                            code = 3
                        else:
                            tol = atol + rtol * (a if a > b else b)
                            if a - b > tol or b - a > tol:
                                code = 4
                        if code != 0:
                            pi = i
                            pj = j
                            break
                    if code != 0:
                        break
                bj += bs
            bi += bs
    if code == 0:
        # flagged by a running sum that overflowed on huge finite values: no problem
        return None, -1, -1
    if code in (1, 2) and isfinite(D[pi, pj]) and D[pi, pj] >= 0:
        pi, pj = pj, pi
    return ("nonfinite", "negative", "diagonal", "asymmetric")[code - 1], pi, pj
