"""Validation of dissimilarity matrices: a fast pass that only says whether everything
is fine (vector loads, threads), and an exact pass that finds the first problem."""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport isfinite

from clusterkit._fast._typedefs cimport intp_t


cdef extern from "_symcheck.h" nogil:
    const intp_t CK_TILE_ROWS
    int ck_rows_d(const double* D, intp_t n, intp_t t0, intp_t t1, double rtol,
                  double atol)
    int ck_rows_f(const float* D, intp_t n, intp_t t0, intp_t t1, double rtol, double atol)
    int ck_strip_d(const double* D, intp_t n, intp_t i0, double rtol, double atol)
    int ck_strip_f(const float* D, intp_t n, intp_t i0, double rtol, double atol)


def dissimilarity_ok(const floating[:, ::1] D, double rtol=1e-7, double atol=0.0,
                     int n_threads=1):
    """True when the square matrix ``D`` is finite, non-negative, has a zero diagonal and
    is symmetric within ``|a - b| <= atol + rtol * max(a, b)``, in one pass over D.

    The test is never more lenient than :func:`check_dissimilarity` with the same
    tolerances (it uses half of each, so that rounding in the dtype of D cannot let a
    pair through); it may be stricter on pairs near the tolerance, which is why a False
    is confirmed, and located, by :func:`check_dissimilarity`. The answer does not depend
    on ``n_threads``.
    """
    cdef intp_t n = D.shape[0], i, t, step = 2 if floating is double else 4
    cdef intp_t m = n - n % step, n_tiles = (m + CK_TILE_ROWS - 1) // CK_TILE_ROWS
    cdef int bad = 0
    cdef double r = 0.5 * rtol, a = 0.5 * atol
    if D.shape[1] != n:
        raise ValueError(f"D must be square, got shape ({n}, {D.shape[1]})")
    if n == 0:
        return True
    with nogil:
        for i in range(n):
            # NaN fails too
            bad |= not (D[i, i] == 0)
        if not bad:
            if floating is double:
                for t in prange(n_tiles, num_threads=max(1, n_threads),
                                schedule='dynamic'):
                    bad |= ck_rows_d(&D[0, 0], n, t, t + 1, r, a)
                if m < n:
                    bad |= ck_strip_d(&D[0, 0], n, m, r, a)
            else:
                for t in prange(n_tiles, num_threads=max(1, n_threads),
                                schedule='dynamic'):
                    bad |= ck_rows_f(&D[0, 0], n, t, t + 1, r, a)
                if m < n:
                    bad |= ck_strip_f(&D[0, 0], n, m, r, a)
    return not bad


def check_dissimilarity(const floating[:, ::1] D, double rtol=1e-7, double atol=0.0):
    """One blocked pass over a square matrix looking for the first problem.

    Entries ``a = D[i, j]`` and ``b = D[j, i]`` count as symmetric when
    ``|a - b| <= atol + rtol * max(a, b)``.

    Returns
    -------
    problem : str or None
        None, or one of "nonfinite", "negative", "diagonal", "asymmetric".
    i, j : int
        Position of the first problem found (-1 when there is none).
    """
    cdef intp_t n = D.shape[0], bi, bj, i, j, bs = 64, iend, jend
    cdef intp_t pi = -1, pj = -1
    cdef int code = 0
    cdef double a, b, tol
    with nogil:
        bi = 0
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
        return None, -1, -1
    if code in (1, 2) and isfinite(D[pi, pj]) and D[pi, pj] >= 0:
        pi, pj = pj, pi
    return ("nonfinite", "negative", "diagonal", "asymmetric")[code - 1], pi, pj
