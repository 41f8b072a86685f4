"""Validation of dissimilarity matrices in one blocked pass (no temporaries)."""
from cython cimport floating
from libc.math cimport isfinite

from clusterkit._fast._typedefs cimport intp_t


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
