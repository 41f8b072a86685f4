"""k-medoids swap algorithms on a dissimilarity matrix: assignment, PAM SWAP, FastPAM1,
FastPAM2 and alternating (FasterPAM is in _fasterpam.pyx, the initialisations in
_medoid_init.pyx). All of them run on the shared state and operations of _medoid_state
(see its docstring for the conventions: ties, the improvement threshold, float64
accumulation, thread-count independence, Ctrl-C).
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY

from clusterkit._fast._medoid_state cimport (
    SCAN_BLOCK,
    MedoidState,
    _apply_swap,
    _candidate_deltas,
    _check_signals,
    _scan_candidates,
    _setup,
    _delta_stride,
    _stride,
    _swap_change,
)
from clusterkit._fast._typedefs cimport intp_t


def assign(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct medoid indices
    const double[::1] w,        # IN (n,) non-negative weights
    int n_threads=1,
):
    """Assign every object to its nearest medoid.

    Returns
    -------
    labels : ndarray of shape (n,), intp (slot of the nearest medoid)
    dist : ndarray of shape (n,), float64 (distance to it)
    loss : float (weighted sum of ``dist``)
    """
    cdef MedoidState st = MedoidState(D.shape[0], medoids)
    cdef double td
    with nogil:
        td = _setup(D, st, &w[0], n_threads)
    return st.near_arr, st.dn_arr, td


cdef int _full_scan(const floating[:, ::1] D, MedoidState st, const double* w,
                    const intp_t* allidx, double* change, intp_t* slot, double* bufs,
                    int nt) except -1 nogil:
    """FastPAM1 evaluation of every object as a candidate, in blocks (Ctrl-C between)."""
    cdef intp_t start = 0, m
    while start < st.n:
        m = min(SCAN_BLOCK * nt, st.n - start)
        _scan_candidates(D, st, w, allidx + start, m, change + start, slot + start, bufs, nt)
        start += m
        _check_signals()
    return 0


cdef bint _do_best_swap(const floating[:, ::1] D, MedoidState st, const double* w,
                        const double* change, const intp_t* slot, double eps,
                        double* td) noexcept nogil:
    """Execute the best of all candidates' swaps (lowest candidate on ties) if it improves
    the loss by more than eps * TD; return whether it did."""
    cdef intp_t c, best = 0
    for c in range(1, st.n):
        if change[c] < change[best]:
            best = c
    if not change[best] < -eps * td[0]:
        return False
    td[0] = _apply_swap(st, &D[best, 0], w, slot[best], best)
    return True


def fastpam1(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoid indices
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """FastPAM1: the swaps of PAM (best swap over all pairs per iteration, lowest candidate
    then lowest slot on ties) found in O(n^2) instead of O(k n^2) per iteration.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MedoidState st = MedoidState(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0
    cdef double td
    cdef int nt = max(1, n_threads)
    allidx_arr = np.arange(n, dtype=np.intp)
    change_arr = np.empty(n, dtype=np.float64)
    slot_arr = np.empty(n, dtype=np.intp)
    bufs_arr = np.empty(nt * _delta_stride(k), dtype=np.float64)
    cdef intp_t[::1] allidx = allidx_arr, slot = slot_arr
    cdef double[::1] change = change_arr, bufs = bufs_arr
    with nogil:
        td = _setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            _full_scan(D, st, &w[0], &allidx[0], &change[0], &slot[0], &bufs[0], nt)
            if not _do_best_swap(D, st, &w[0], &change[0], &slot[0], eps, &td):
                break
            n_swaps += 1
    return st.results(td, n_iter, n_swaps)


def pam_swap(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoid indices
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """Original PAM SWAP: every (slot, non-medoid) pair's change computed directly in O(n),
    O(k n^2) per iteration; the best pair (lowest candidate, then lowest slot on ties) is
    executed while it improves.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MedoidState st = MedoidState(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, start, end
    cdef double td, ch
    cdef int nt = max(1, n_threads)
    change_arr = np.empty(n, dtype=np.float64)
    slot_arr = np.empty(n, dtype=np.intp)
    cdef double[::1] change = change_arr
    cdef intp_t[::1] slot = slot_arr
    with nogil:
        td = _setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            start = 0
            while start < n:
                end = min(n, start + 16 * nt)
                for c in prange(start, end, num_threads=nt, schedule='static', chunksize=1):
                    change[c] = INFINITY
                    slot[c] = 0
                    if st.slot_of[c] >= 0:
                        continue
                    for i in range(k):
                        ch = _swap_change(&D[c, 0], n, i, &st.near[0], &st.dn[0], &st.ds[0],
                                          &w[0])
                        if ch < change[c]:
                            change[c] = ch
                            slot[c] = i
                start = end
                _check_signals()
            if not _do_best_swap(D, st, &w[0], &change[0], &slot[0], eps, &td):
                break
            n_swaps += 1
    return st.results(td, n_iter, n_swaps)


def fastpam2(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoid indices
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double fasttol=1.0,
    double eps=1e-12,
    int n_threads=1,
):
    """FastPAM2: up to k swaps per iteration.

    One O(n^2) pass records, for every slot, its best candidate (lowest candidate index on
    ties). The overall best swap is executed; then the other slots' candidates, in order of
    their (stale) change, are re-evaluated exactly on the updated caches and executed when
    they still improve by at least ``(1 - fasttol)`` times the recorded change (fasttol=1:
    any improvement; fasttol=0: only if the gain did not shrink). A candidate that became a
    medoid meanwhile is skipped.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MedoidState st = MedoidState(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, t, tid, start, end, slot_b, _
    cdef double td, acc, val, ch
    cdef int nt = max(1, n_threads)
    # per-thread best change / candidate for every slot
    tbest_arr = np.empty((nt, _stride(k)), dtype=np.float64)
    tcand_arr = np.empty((nt, _stride(k)), dtype=np.intp)
    bufs_arr = np.empty(nt * _delta_stride(k), dtype=np.float64)
    best_arr = np.empty(k, dtype=np.float64)
    cand_arr = np.empty(k, dtype=np.intp)
    cdef double[:, ::1] tbest = tbest_arr
    cdef intp_t[:, ::1] tcand = tcand_arr
    cdef double[::1] bufs = bufs_arr, bestch = best_arr
    cdef intp_t[::1] bestc = cand_arr
    cdef double* delta
    with nogil:
        td = _setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            for t in range(nt):
                for i in range(k):
                    tbest[t, i] = INFINITY
                    tcand[t, i] = -1
            start = 0
            while start < n:
                end = min(n, start + SCAN_BLOCK * nt)
                with parallel(num_threads=nt):
                    tid = threadid()
                    delta = &bufs[0] + tid * _delta_stride(k)
                    # dynamic: on a busy machine a thread that loses its core for a time
                    # slice leaves its candidates to the others instead of stalling the
                    # region (the reduction below does not depend on who evaluated what)
                    for c in prange(start, end, schedule='dynamic', chunksize=8):
                        if st.slot_of[c] >= 0:
                            continue
                        acc = _candidate_deltas(&D[c, 0], n, k, &st.rl[0], &st.near[0],
                                                &st.dn[0], &st.ds[0], &st.ds32[0],
                                                &w[0], delta)
                        for i in range(k):
                            val = delta[i] + acc
                            if val < tbest[tid, i] or (val == tbest[tid, i] and c < tcand[tid, i]):
                                tbest[tid, i] = val
                                tcand[tid, i] = c
                start = end
                _check_signals()
            # reduce over threads: lowest change, then lowest candidate index
            for i in range(k):
                bestch[i] = tbest[0, i]
                bestc[i] = tcand[0, i]
                for t in range(1, nt):
                    if tbest[t, i] < bestch[i] or (tbest[t, i] == bestch[i] and tcand[t, i] >= 0
                                                   and tcand[t, i] < bestc[i]):
                        bestch[i] = tbest[t, i]
                        bestc[i] = tcand[t, i]
            # the overall best swap (lowest slot on ties)
            slot_b = 0
            for i in range(1, k):
                if bestch[i] < bestch[slot_b]:
                    slot_b = i
            if not bestch[slot_b] < -eps * td:
                break
            td = _apply_swap(st, &D[bestc[slot_b], 0], &w[0], slot_b, bestc[slot_b])
            n_swaps += 1
            bestch[slot_b] = INFINITY
            # remaining slots in order of their recorded change (stable: lowest slot first)
            for _ in range(k - 1):
                slot_b = -1
                for i in range(k):
                    if bestch[i] < INFINITY and (slot_b < 0 or bestch[i] < bestch[slot_b]):
                        slot_b = i
                if slot_b < 0 or not bestch[slot_b] < -eps * td:
                    break
                c = bestc[slot_b]
                val = bestch[slot_b]
                bestch[slot_b] = INFINITY
                if st.slot_of[c] >= 0:
                    continue
                ch = _swap_change(&D[c, 0], n, slot_b, &st.near[0], &st.dn[0], &st.ds[0], &w[0])
                if ch < -eps * td and ch <= (1.0 - fasttol) * val:
                    td = _apply_swap(st, &D[c, 0], &w[0], slot_b, c)
                    n_swaps += 1
    return st.results(td, n_iter, n_swaps)


def alternating(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoid indices
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """Alternating (Voronoi iteration): assign every object to its nearest medoid, then make
    each cluster's medoid the member with the smallest weighted sum of distances to the
    members (keeping the current medoid unless another is better by more than
    ``eps * TD``; lowest index among equals); repeat until no medoid changes.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps (number of medoid replacements)
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MedoidState st = MedoidState(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, o, c, i, j, lab, changed, best, cur
    cdef double td, s
    cdef int nt = max(1, n_threads)
    cost_arr = np.empty(n, dtype=np.float64)
    cdef double[::1] cost = cost_arr
    # members of each cluster, grouped: start offsets and object lists
    startp_arr = np.empty(k + 1, dtype=np.intp)
    members_arr = np.empty(n, dtype=np.intp)
    fill_arr = np.empty(k, dtype=np.intp)
    cdef intp_t[::1] startp = startp_arr, members = members_arr, fill = fill_arr
    with nogil:
        td = _setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            for i in range(k + 1):
                startp[i] = 0
            for o in range(n):
                startp[st.near[o] + 1] += 1
            for i in range(k):
                startp[i + 1] += startp[i]
                fill[i] = startp[i]
            for o in range(n):
                lab = st.near[o]
                members[fill[lab]] = o
                fill[lab] += 1
            for c in prange(n, num_threads=nt, schedule='dynamic', chunksize=16):
                lab = st.near[c]
                s = 0.0
                for j in range(startp[lab], startp[lab + 1]):
                    s = s + w[members[j]] * D[c, members[j]]
                cost[c] = s
            _check_signals()
            changed = 0
            for i in range(k):
                cur = st.med[i]
                best = cur
                for j in range(startp[i], startp[i + 1]):
                    o = members[j]
                    if cost[o] < cost[best] and (best != cur or cost[o] < cost[cur] - eps * td):
                        best = o
                if best != cur:
                    st.slot_of[cur] = -1
                    st.med[i] = best
                    st.slot_of[best] = i
                    changed += 1
            if changed == 0:
                break
            n_swaps += changed
            td = _setup(D, st, &w[0], nt)
    return st.results(td, n_iter, n_swaps)
