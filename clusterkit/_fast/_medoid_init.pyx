"""k-medoids initialisations: BUILD, LAB and k-medoids++ (and weighted row sums).

Randomness enters only through arrays of uniform numbers drawn by the caller from its
``random_state``, so these kernels are deterministic. Conventions as in _medoid_state.pyx.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport INFINITY, floor

from clusterkit._fast._medoid_state cimport _check_signals
from clusterkit._fast._typedefs cimport intp_t


def row_sums(const floating[:, ::1] D, const double[::1] w, int n_threads=1):
    """Weighted row sums ``D @ w`` accumulated in float64 (loss of each object as the only
    medoid)."""
    cdef intp_t n = D.shape[0], c, o
    cdef double s
    out = np.empty(n, dtype=np.float64)
    cdef double[::1] res = out
    with nogil:
        for c in prange(n, num_threads=max(1, n_threads), schedule='static'):
            s = 0.0
            for o in range(n):
                s = s + w[o] * D[c, o]
            res[c] = s
    return out


def build(const floating[:, ::1] D, intp_t k, const double[::1] w, int n_threads=1):
    """PAM's BUILD: greedy initialisation in O(n^2 k).

    The first medoid minimises the weighted row sum; each further medoid is the non-medoid
    with the largest gain ``sum_o w[o] * max(0, dmin[o] - d(o, c))`` (lowest index on ties).
    When every gain is zero (fewer distinct points than k) the lowest-index non-medoid is
    taken, so exactly k medoids are always returned.

    Returns
    -------
    medoids : ndarray of shape (k,), intp
    """
    cdef intp_t n = D.shape[0], c, o, step, best
    cdef double g, diff, bestg
    cdef const floating* row
    medoids = np.empty(k, dtype=np.intp)
    cdef intp_t[::1] med = medoids
    is_med_arr = np.zeros(n, dtype=np.uint8)
    cdef unsigned char[::1] is_med = is_med_arr
    dmin_arr = np.empty(n, dtype=np.float64)
    cdef double[::1] dmin = dmin_arr
    gain_arr = np.empty(n, dtype=np.float64)
    cdef double[::1] gain = gain_arr
    cdef double[::1] sums = row_sums(D, w, n_threads)
    with nogil:
        best = 0
        for c in range(1, n):
            if sums[c] < sums[best]:
                best = c
        med[0] = best
        is_med[best] = 1
        for o in range(n):
            dmin[o] = D[best, o]
        for step in range(1, k):
            _check_signals()
            for c in prange(n, num_threads=max(1, n_threads), schedule='static'):
                if is_med[c]:
                    gain[c] = -1.0
                    continue
                g = 0.0
                row = &D[c, 0]
                for o in range(n):
                    diff = dmin[o] - row[o]
                    if diff > 0:
                        g = g + w[o] * diff
                gain[c] = g
            best = -1
            bestg = -1.0
            for c in range(n):
                # the first non-medoid is taken even when no gain compares higher (NaN)
                if not is_med[c] and (best < 0 or gain[c] > bestg):
                    bestg = gain[c]
                    best = c
            med[step] = best
            is_med[best] = 1
            row = &D[best, 0]
            for o in range(n):
                if row[o] < dmin[o]:
                    dmin[o] = row[o]
    return medoids


def lab(const floating[:, ::1] D, intp_t k, const double[::1] w, const double[:, ::1] u):
    """LAB (linear approximative BUILD): BUILD evaluated on small random samples.

    Each of the k steps draws a sample of ``s = u.shape[1]`` non-medoids (a partial
    Fisher-Yates shuffle driven by the uniform numbers ``u[step]``) and picks the sample
    member minimising ``sum_{j in S} w[j] * min(d(i, j), dmin[j])`` (lowest sample position
    on ties). Cost about O(k s^2 + n k).

    Parameters
    ----------
    u : ndarray of shape (k, s), float64 in [0, 1)  # IN, pre-drawn from random_state
    """
    cdef intp_t n = D.shape[0], s = u.shape[1], step, j, r, t, i, cand, best, plen, m
    cdef double cost, bestcost, d, tmp
    medoids = np.empty(k, dtype=np.intp)
    cdef intp_t[::1] med = medoids
    pool_arr = np.arange(n, dtype=np.intp)
    pos_arr = np.arange(n, dtype=np.intp)
    cdef intp_t[::1] pool = pool_arr, pos = pos_arr
    dmin_arr = np.full(n, np.inf, dtype=np.float64)
    cdef double[::1] dmin = dmin_arr
    with nogil:
        plen = n
        for step in range(k):
            m = min(s, plen)
            for j in range(m):
                r = j + <intp_t> floor(u[step, j] * (plen - j))
                if r >= plen:
                    r = plen - 1
                t = pool[j]
                pool[j] = pool[r]
                pool[r] = t
                pos[pool[j]] = j
                pos[pool[r]] = r
            best = -1
            bestcost = INFINITY
            for i in range(m):
                cand = pool[i]
                cost = 0.0
                for j in range(m):
                    d = D[cand, pool[j]]
                    tmp = dmin[pool[j]]
                    cost = cost + w[pool[j]] * (d if d < tmp else tmp)
                if best < 0 or cost < bestcost:
                    bestcost = cost
                    best = cand
            med[step] = best
            # remove best from the pool (swap with the last element)
            j = pos[best]
            plen -= 1
            t = pool[plen]
            pool[j] = t
            pos[t] = j
            pool[plen] = best
            pos[best] = plen
            for j in range(n):
                if D[best, j] < dmin[j]:
                    dmin[j] = D[best, j]
    return medoids


cdef intp_t _sample_index(const double* cum, intp_t n, double r) noexcept nogil:
    """First index with cum[i] > r (binary search), clamped to the last positive mass."""
    cdef intp_t lo = 0, hi = n - 1, mid
    if r >= cum[n - 1]:
        while hi > 0 and cum[hi - 1] == cum[n - 1]:
            hi -= 1
        return hi
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > r:
            hi = mid
        else:
            lo = mid + 1
    return lo


def kmedoids_plusplus(const floating[:, ::1] D, intp_t k, const double[::1] w,
                      const double[:, ::1] u, int n_threads=1):
    """k-medoids++ seeding with greedy local trials.

    The first medoid is drawn with probability proportional to ``w``; each further one by
    drawing ``u.shape[1] - 1`` trial candidates with probability proportional to
    ``w[o] * dmin[o]`` and keeping the trial that lowers the weighted loss most (the first
    on ties). When every remaining object coincides with a medoid (zero mass), a
    non-medoid is taken uniformly, so exactly k medoids are returned.

    Parameters
    ----------
    u : ndarray of shape (k, n_trials + 1), float64 in [0, 1)  # IN, pre-drawn
    """
    cdef intp_t n = D.shape[0], ntr = u.shape[1] - 1, step, t, o, c, best, cnt, target
    cdef double total, cost, bestcost, d
    cdef const floating* row
    medoids = np.empty(k, dtype=np.intp)
    cdef intp_t[::1] med = medoids
    is_med_arr = np.zeros(n, dtype=np.uint8)
    cdef unsigned char[::1] is_med = is_med_arr
    dmin_arr = np.full(n, np.inf, dtype=np.float64)
    cdef double[::1] dmin = dmin_arr
    cum_arr = np.empty(n, dtype=np.float64)
    cdef double[::1] cum = cum_arr
    trial_cost_arr = np.empty(max(ntr, 1), dtype=np.float64)
    cdef double[::1] trial_cost = trial_cost_arr
    trial_arr = np.empty(max(ntr, 1), dtype=np.intp)
    cdef intp_t[::1] trial = trial_arr
    with nogil:
        total = 0.0
        for o in range(n):
            total += w[o]
            cum[o] = total
        c = _sample_index(&cum[0], n, u[0, 0] * total)
        med[0] = c
        is_med[c] = 1
        for o in range(n):
            dmin[o] = D[c, o]
        for step in range(1, k):
            total = 0.0
            for o in range(n):
                total += w[o] * dmin[o]
                cum[o] = total
            if not total > 0:
                # every object sits on a medoid: take a uniformly drawn non-medoid
                target = <intp_t> floor(u[step, 0] * (n - step))
                cnt = 0
                best = -1
                for o in range(n):
                    if not is_med[o]:
                        if cnt == target:
                            best = o
                            break
                        cnt += 1
                if best < 0:
                    for o in range(n - 1, -1, -1):
                        if not is_med[o]:
                            best = o
                            break
            else:
                for t in range(ntr):
                    trial[t] = _sample_index(&cum[0], n, u[step, t + 1] * total)
                for t in prange(ntr, num_threads=max(1, n_threads), schedule='static'):
                    row = &D[trial[t], 0]
                    cost = 0.0
                    for o in range(n):
                        d = row[o]
                        cost = cost + w[o] * (d if d < dmin[o] else dmin[o])
                    trial_cost[t] = cost
                best = trial[0]
                bestcost = trial_cost[0]
                for t in range(1, ntr):
                    if trial_cost[t] < bestcost:
                        bestcost = trial_cost[t]
                        best = trial[t]
            med[step] = best
            is_med[best] = 1
            for o in range(n):
                if D[best, o] < dmin[o]:
                    dmin[o] = D[best, o]
    return medoids
