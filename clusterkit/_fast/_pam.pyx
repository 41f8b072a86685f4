"""k-medoids swap kernels: assignment caches, PAM SWAP, FastPAM1, FastPAM2, FasterPAM and
alternating (the initialisations are in _init.pyx).

Everything here works on a square, symmetric dissimilarity matrix ``D`` (float32 or
float64, C-contiguous) and knows nothing about estimators: inputs are validated by the
callers. Because ``D`` is symmetric, the distances of all objects to a candidate ``c`` are
read from the contiguous row ``D[c]`` rather than from the column.

Conventions
-----------
* Slots ``0..k-1`` hold medoid object indices in ``med``.
* Caches per object ``o``: ``near[o]`` (slot of the nearest medoid), ``dn[o]`` (its
  distance), ``sec[o]`` / ``ds[o]`` (second nearest; ``ds = inf`` when k == 1).
* A medoid is always assigned to its own slot, also when another medoid is at distance 0.
* Ties: strict ``<`` everywhere, so the lowest slot / candidate index wins.
* Losses and changes accumulate in float64 whatever the input dtype; ``TD`` is recomputed
  from the caches after each swap (never accumulated from deltas).
* A swap is executed only when ``change < -eps * TD``: the same threshold decides whether a
  swap was found and whether it is done, so duplicates cannot swap forever.
* Weights ``w`` (float64, one per object) define the objective ``sum_o w[o] * dn[o]``.
* Results never depend on the number of threads: candidates are evaluated in parallel into
  per-candidate slots and reduced sequentially in index order.
* Long loops check for Ctrl-C between blocks of work (``KeyboardInterrupt``).
"""
import numpy as np

cimport cython
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from libc.stdlib cimport malloc, free
from cpython.exc cimport PyErr_CheckSignals
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec


# Candidates evaluated per parallel region in the FastPAM1 / FastPAM2 / PAM / BUILD scans;
# also the granularity at which Ctrl-C is checked.
cdef intp_t SCAN_BLOCK = 256


cdef inline double _now() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec + 1e-9 * ts.tv_nsec


cdef inline intp_t _stride(intp_t k) noexcept nogil:
    """Length of one thread's scratch row: k rounded up to whole 64-byte cache lines plus
    one line, so that threads never write to the same cache line (false sharing)."""
    return (k + 7) // 8 * 8 + 8


cdef int _check_signals() except -1 nogil:
    with gil:
        if PyErr_CheckSignals() != 0:
            return -1
    return 0


# --------------------------------------------------------------------------------------
# Assignment caches, kept in a _State: ``M[o, i]`` is the distance of object o to the medoid
# in slot i, so that re-scanning an object reads one contiguous row of k values.
# --------------------------------------------------------------------------------------

cdef void _rescan(_State st, intp_t o) noexcept nogil:
    """Recompute nearest and second nearest medoid of object ``o`` from ``M`` (O(k))."""
    cdef intp_t i, bi = -1, si = -1, own = st.slot_of[o], k = st.k
    cdef double d, bd = INFINITY, sd = INFINITY
    cdef const double* row = &st.M[o, 0]
    for i in range(k):
        if i == own:
            continue
        d = row[i]
        if d < bd:
            si = bi
            sd = bd
            bi = i
            bd = d
        elif d < sd:
            si = i
            sd = d
    if own >= 0:
        # a medoid is its own nearest (even when another medoid is at distance 0); the
        # best other slot is its second
        st.near[o] = own
        st.dn[o] = 0.0
        st.sec[o] = bi
        st.ds[o] = bd
    else:
        st.near[o] = bi
        st.dn[o] = bd
        st.sec[o] = si
        st.ds[o] = sd


cdef void _fill_medoid_distances(const floating[:, ::1] D, _State st,
                                 int n_threads) noexcept nogil:
    """M[o, i] = D[med[i], o], reading the medoids' rows; threads own blocks of objects
    (whole rows of M), so they never write to the same cache line."""
    cdef intp_t b, i, o, nb = (st.n + 255) // 256
    for b in prange(nb, num_threads=n_threads, schedule='static'):
        for i in range(st.k):
            for o in range(b * 256, min(st.n, b * 256 + 256)):
                st.M[o, i] = D[st.med[i], o]


cdef double _refresh(_State st, const double* w, int n_threads) noexcept nogil:
    """Assign every object from M, then removal losses; return the loss TD."""
    cdef intp_t o
    for o in prange(st.n, num_threads=n_threads, schedule='static'):
        _rescan(st, o)
    _removal_loss(st.n, st.k, &st.near[0], &st.dn[0], &st.ds[0], w, &st.rl[0])
    return _total(st.n, &st.dn[0], w)


cdef double _total(intp_t n, const double* dn, const double* w) noexcept nogil:
    cdef intp_t o
    cdef double td = 0.0
    for o in range(n):
        td += w[o] * dn[o]
    return td


cdef void _removal_loss(intp_t n, intp_t k, const intp_t* near, const double* dn,
                        const double* ds, const double* w, double* rl) noexcept nogil:
    """rl[i] = sum over objects nearest to slot i of w * (ds - dn)."""
    cdef intp_t i, o
    for i in range(k):
        rl[i] = 0.0
    for o in range(n):
        rl[near[o]] += w[o] * (ds[o] - dn[o])


# --------------------------------------------------------------------------------------
# Swap evaluation
# --------------------------------------------------------------------------------------

cdef double _candidate_deltas(const floating* row, intp_t n, intp_t k, const double* rl,
                              const intp_t* near, const double* dn, const double* ds,
                              const double* w, double* delta) noexcept nogil:
    """FastPAM1 inner loop, in one pass over all objects: on return ``delta[i] + acc`` is the
    change of TD when the candidate (distances ``row``) replaces the medoid of slot i;
    returns ``acc``, the part shared by all slots.

    Only objects with d(o, c) < ds[o] contribute. Where they are rare (large k, good
    medoids) a predictable branch skips the others; where they are frequent (small k, early
    passes) the branch would be mispredicted often, so a block is first compacted into the
    list of contributing objects without branches and the list processed branch-free. The
    choice is made per block of 256 objects from the previous block's count; both paths
    perform the same floating-point operations in the same order, so the result is
    bit-identical either way.
    """
    cdef intp_t i, o, t, m, start, end, hits
    cdef intp_t idx[256]
    cdef double acc = 0.0, doc, a
    cdef bint compact = False
    for i in range(k):
        delta[i] = rl[i]
    start = 0
    while start < n:
        end = min(n, start + 256)
        if compact:
            m = 0
            for o in range(start, end):
                idx[m] = o
                m += row[o] < ds[o]
            for t in range(m):
                o = idx[t]
                doc = row[o]
                a = dn[o]
                # if c is nearer than the nearest: c takes o whichever medoid leaves (acc)
                # and the removal loss counted for o is cancelled; otherwise c only beats
                # the second nearest, which matters if o's nearest leaves
                acc += w[o] * ((doc - a) if doc < a else 0.0)
                delta[near[o]] += w[o] * ((doc if doc > a else a) - ds[o])
            hits = m
        else:
            hits = 0
            for o in range(start, end):
                doc = row[o]
                if doc < ds[o]:
                    a = dn[o]
                    acc += w[o] * ((doc - a) if doc < a else 0.0)
                    delta[near[o]] += w[o] * ((doc if doc > a else a) - ds[o])
                    hits += 1
        compact = hits > 12
        start = end
    return acc


cdef double _candidate(const floating* row, intp_t n, intp_t k, const double* rl,
                       const intp_t* near, const double* dn, const double* ds,
                       const double* w, double* delta, intp_t* best_slot) noexcept nogil:
    """Best change of TD for one candidate over all slots (lowest slot on ties); the slot
    goes to ``best_slot``. ``delta`` is a length-k scratch buffer."""
    cdef intp_t i, b = 0
    cdef double acc = _candidate_deltas(row, n, k, rl, near, dn, ds, w, delta)
    cdef double best = delta[0] + acc, val
    # compare delta[i] + acc, not delta[i]: the sums are what is minimised
    for i in range(1, k):
        val = delta[i] + acc
        if val < best:
            best = val
            b = i
    best_slot[0] = b
    return best


cdef double _swap_change(const floating* row, intp_t n, intp_t slot, const intp_t* near,
                         const double* dn, const double* ds, const double* w) noexcept nogil:
    """Exact change of TD when the medoid in ``slot`` is replaced by the candidate whose
    distances are ``row`` (original PAM; O(n))."""
    cdef intp_t o
    cdef double acc = 0.0, doc
    for o in range(n):
        doc = row[o]
        if near[o] == slot:
            # o loses its medoid: it goes to the candidate or to its second nearest
            if doc < ds[o]:
                acc += w[o] * (doc - dn[o])
            else:
                acc += w[o] * (ds[o] - dn[o])
        elif doc < dn[o]:
            acc += w[o] * (doc - dn[o])
    return acc


cdef void _do_swap(_State st, const floating* row, intp_t b, intp_t j) noexcept nogil:
    """Replace the medoid in slot ``b`` by object ``j`` (whose distances to all objects are
    ``row``) and update M and the caches in O(n), plus O(k) rescans for the few objects
    that lose their nearest or second nearest."""
    _swap_medoid(st, b, j)
    _swap_update(st, row, b, j, 0, st.n)


cdef inline void _swap_medoid(_State st, intp_t b, intp_t j) noexcept nogil:
    st.slot_of[st.med[b]] = -1
    st.med[b] = j
    st.slot_of[j] = b


cdef void _swap_update(_State st, const floating* row, intp_t b, intp_t j, intp_t start,
                       intp_t end) noexcept nogil:
    """Cache update of objects start..end-1 after slot ``b`` received object ``j``; objects
    are independent, so ranges can be updated by different threads."""
    cdef intp_t o
    cdef double d
    # comparisons are lexicographic on (distance, slot) so that ties go to the lowest
    # slot exactly as in a from-scratch assignment
    for o in range(start, end):
        d = row[o]
        st.M[o, b] = d
        if o == j:
            _rescan(st, o)
        elif st.near[o] == b:
            if d < st.ds[o] or (d == st.ds[o] and b < st.sec[o]):
                st.dn[o] = d
            else:
                _rescan(st, o)
        elif st.slot_of[o] >= 0:
            # another medoid: only its second nearest can change
            if d <= st.ds[o] or st.sec[o] == b:
                _rescan(st, o)
        elif d < st.dn[o] or (d == st.dn[o] and b < st.near[o]):
            st.sec[o] = st.near[o]
            st.ds[o] = st.dn[o]
            st.near[o] = b
            st.dn[o] = d
        elif d < st.ds[o] or (d == st.ds[o] and b < st.sec[o]):
            st.sec[o] = b
            st.ds[o] = d
        elif st.sec[o] == b:
            _rescan(st, o)


cdef double _apply_swap(_State st, const floating* row, const double* w, intp_t b,
                        intp_t j) noexcept nogil:
    """Swap, then recompute the removal losses and the loss TD from the caches."""
    _do_swap(st, row, b, j)
    _removal_loss(st.n, st.k, &st.near[0], &st.dn[0], &st.ds[0], w, &st.rl[0])
    return _total(st.n, &st.dn[0], w)


# --------------------------------------------------------------------------------------
# Working state shared by the swap algorithms
# --------------------------------------------------------------------------------------

cdef class _State:
    """Caches for one run: medoids, slot map, nearest/second, removal losses and the
    n x k distances to the medoids (see _pam.pxd for the fields)."""

    def __init__(self, intp_t n, medoids):
        self.n = n
        self.k = len(medoids)
        self.med_arr = np.array(medoids, dtype=np.intp)
        self.slot_arr = np.full(n, -1, dtype=np.intp)
        self.slot_arr[self.med_arr] = np.arange(self.k, dtype=np.intp)
        self.near_arr = np.empty(n, dtype=np.intp)
        self.sec_arr = np.empty(n, dtype=np.intp)
        self.dn_arr = np.empty(n, dtype=np.float64)
        self.ds_arr = np.empty(n, dtype=np.float64)
        self.rl_arr = np.zeros(self.k, dtype=np.float64)
        self.M_arr = np.empty((n, self.k), dtype=np.float64)
        self.med = self.med_arr
        self.slot_of = self.slot_arr
        self.near = self.near_arr
        self.sec = self.sec_arr
        self.dn = self.dn_arr
        self.ds = self.ds_arr
        self.rl = self.rl_arr
        self.M = self.M_arr


cdef double _setup(const floating[:, ::1] D, _State st, const double* w,
                   int n_threads) noexcept nogil:
    _fill_medoid_distances(D, st, n_threads)
    return _refresh(st, w, n_threads)


cdef int _scan_candidates(const floating[:, ::1] D, _State st, const double* w,
                          const intp_t* cand, intp_t m, double* change, intp_t* slot,
                          double* bufs, int n_threads) except -1 nogil:
    """FastPAM1 evaluation of ``m`` candidates ``cand[0..m-1]`` in parallel; medoids get
    change +inf. Per-candidate outputs make the result independent of the thread count."""
    cdef intp_t t, c, tid
    cdef intp_t n = st.n, k = st.k
    if n_threads <= 1 or m < 2:
        for t in range(m):
            c = cand[t]
            if st.slot_of[c] >= 0:
                change[t] = INFINITY
                slot[t] = 0
            else:
                change[t] = _candidate(&D[c, 0], n, k, &st.rl[0], &st.near[0], &st.dn[0],
                                       &st.ds[0], w, bufs, &slot[t])
        return 0
    with parallel(num_threads=n_threads):
        tid = threadid()
        for t in prange(m, schedule='static', chunksize=1):
            c = cand[t]
            if st.slot_of[c] >= 0:
                change[t] = INFINITY
                slot[t] = 0
            else:
                change[t] = _candidate(&D[c, 0], n, k, &st.rl[0], &st.near[0], &st.dn[0],
                                       &st.ds[0], w, bufs + tid * _stride(k), &slot[t])
    return 0


def _results(_State st, double td, intp_t n_iter, intp_t n_swaps):
    return st.med_arr.copy(), st.near_arr.copy(), td, n_iter, n_swaps


# --------------------------------------------------------------------------------------
# Public kernels
# --------------------------------------------------------------------------------------

def assign(const floating[:, ::1] D, medoids, const double[::1] w, int n_threads=1):
    """Assign every object to its nearest medoid.

    Parameters
    ----------
    D : ndarray of shape (n, n), float32 or float64, C-contiguous  # IN
    medoids : ndarray of shape (k,), intp  # IN, distinct, in range
    w : ndarray of shape (n,), float64  # IN, weights
    n_threads : int

    Returns
    -------
    labels : ndarray of shape (n,), intp (slot of the nearest medoid)
    dist : ndarray of shape (n,), float64 (distance to it)
    loss : float (weighted sum of ``dist``)
    """
    cdef _State st = _State(D.shape[0], medoids)
    cdef double td
    with nogil:
        td = _setup(D, st, &w[0], n_threads)
    return st.near_arr, st.dn_arr, td


cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static inline int ck_team_size(void) { return omp_get_num_threads(); }
    #else
    static inline int ck_team_size(void) { return 1; }
    #endif
    static inline void ck_barrier(void) {
    #ifdef _OPENMP
    #pragma omp barrier
    #endif
    }
    """
    void ck_barrier() noexcept nogil
    int ck_team_size() noexcept nogil


# Shared control words of the FasterPAM team (see _fasterpam_team).
cdef enum:
    C_POS, C_LIMIT, C_HIT, C_STOP, C_YIELD, C_LAST, C_ITER, C_SWAPS, C_BEFORE, C_BATCH, C_SEEN,
    C_SEGLEN, C_FOUND
    C_SIZE


cdef void _next_batch(intp_t* ctl, double* td, const intp_t* order, intp_t n,
                      intp_t max_iter) noexcept nogil:
    """Close a finished pass (or stop) and set the next batch of candidates: C_LIMIT
    candidates from C_POS, cut before the last swapped object (C_HIT set then)."""
    cdef intp_t t, limit
    if ctl[C_POS] >= n:
        # a full pass without reaching the last swap: stop when it changed nothing
        if ctl[C_SWAPS] == ctl[C_BEFORE] or not td[0] < td[1] or ctl[C_ITER] >= max_iter:
            ctl[C_STOP] = 1
            return
        ctl[C_ITER] += 1
        ctl[C_BEFORE] = ctl[C_SWAPS]
        td[1] = td[0]
        ctl[C_POS] = 0
    limit = min(ctl[C_BATCH], n - ctl[C_POS])
    ctl[C_HIT] = 0
    for t in range(limit):
        if order[ctl[C_POS] + t] == ctl[C_LAST]:
            limit = t
            ctl[C_HIT] = 1
            break
    ctl[C_LIMIT] = limit


cdef intp_t _first_improving(const intp_t* ctl, const double* td, const double* change,
                             double eps) noexcept nogil:
    cdef intp_t t
    for t in range(ctl[C_LIMIT]):
        if change[t] < -eps * td[0]:
            return t
    return -1


cdef void _after_batch(_State st, const double* w, const intp_t* order, intp_t* ctl,
                       double* td, intp_t found, intp_t min_batch, intp_t max_batch,
                       intp_t max_iter) noexcept nogil:
    """Bookkeeping after a batch (the swap, if any, already done): move on, stop, or set
    the next batch."""
    ctl[C_SEEN] += ctl[C_LIMIT]
    if found >= 0:
        _removal_loss(st.n, st.k, &st.near[0], &st.dn[0], &st.ds[0], w, &st.rl[0])
        td[0] = _total(st.n, &st.dn[0], w)
        ctl[C_LAST] = order[ctl[C_POS] + found]
        ctl[C_SWAPS] += 1
        ctl[C_POS] += found + 1
        ctl[C_BATCH] = min_batch
    else:
        ctl[C_POS] += ctl[C_LIMIT]
        ctl[C_BATCH] = min(2 * ctl[C_BATCH], max_batch)
        if ctl[C_HIT]:
            ctl[C_STOP] = 1  # every object was checked since the last swap
            return
    _next_batch(ctl, td, order, st.n, max_iter)
    if ctl[C_SEEN] >= ctl[C_SEGLEN] or (td[2] > 0 and _now() > td[2]):
        ctl[C_YIELD] = 1  # leave the parallel region now and then (Ctrl-C, timing)


def fasterpam(const floating[:, ::1] D, medoids, const double[::1] w,
              const intp_t[::1] order, intp_t max_iter=300, double eps=1e-12,
              int n_threads=1):
    """FasterPAM: eager swapping with the O(k) FastPAM1 inner loop.

    Candidates are visited in ``order`` (a permutation of 0..n-1); the first improving swap
    found for a candidate is executed at once. A pass ends when the scan reaches the last
    swapped object again (every object was checked since) or at the end of the order; the
    run stops after a pass without a swap, a pass that did not lower the loss, or
    ``max_iter`` passes.

    With several threads, a team of threads lives through the whole run: batches of
    consecutive candidates are evaluated in parallel against the current medoids, then one
    thread executes the first improving one in ``order`` and discards the rest, between two
    barriers. The swaps are therefore exactly those of the sequential algorithm.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    if order.shape[0] != n:
        raise ValueError(f"order has {order.shape[0]} entries, expected a permutation of {n}")
    cdef _State st = _State(n, medoids)
    cdef int nt = max(1, n_threads)
    cdef intp_t min_batch = nt, max_batch = 32 * nt, tid, t, c, p0, lim, f, team_size
    cdef double tdv[3]
    cdef intp_t ctl[C_SIZE]
    change_arr = np.empty(max_batch, dtype=np.float64)
    slot_arr = np.empty(max_batch, dtype=np.intp)
    bufs_arr = np.empty(nt * _stride(k), dtype=np.float64)
    cdef double[::1] change = change_arr, bufs = bufs_arr
    cdef intp_t[::1] slot = slot_arr
    cdef double* pchange = &change[0]
    cdef intp_t* pslot = &slot[0]
    cdef double* pbufs = &bufs[0]
    cdef intp_t* pctl = ctl
    cdef double* ptd = tdv
    for t in range(C_SIZE):
        ctl[t] = 0
    cdef bint team = False
    cdef intp_t segment = 0, single_left = 0, backoff = 8
    cdef double t_start, rate, rate_single = 0.0
    with nogil:
        tdv[0] = _setup(D, st, &w[0], nt)
        tdv[1] = tdv[0]
        tdv[2] = 0.0  # deadline of a team segment (0: none)
        ctl[C_LAST] = -1
        ctl[C_ITER] = 1
        ctl[C_BATCH] = 1
        # with several threads, a short first segment on one thread gives the reference
        # rate that the team has to beat
        ctl[C_SEGLEN] = 256 if nt > 1 else 4096
        _next_batch(ctl, tdv, &order[0], n, max_iter)
        while not ctl[C_STOP]:
            t_start = _now()
            if not team:
                # one candidate at a time: nothing is evaluated in vain
                while not ctl[C_STOP] and not ctl[C_YIELD]:
                    _scan_candidates(D, st, &w[0], &order[ctl[C_POS]], ctl[C_LIMIT],
                                     pchange, pslot, pbufs, 1)
                    f = _first_improving(ctl, tdv, pchange, eps)
                    if f >= 0:
                        c = order[ctl[C_POS] + f]
                        _do_swap(st, &D[c, 0], pslot[f], c)
                    _after_batch(st, &w[0], &order[0], ctl, tdv, f, 1, 1, max_iter)
            else:
                with parallel(num_threads=nt):
                    tid = threadid()
                    # the runtime may grant fewer threads than asked (OMP_THREAD_LIMIT,
                    # OMP_DYNAMIC, nested regions): share the work by the actual team size
                    team_size = ck_team_size()
                    while not pctl[C_STOP] and not pctl[C_YIELD]:
                        p0 = pctl[C_POS]
                        lim = pctl[C_LIMIT]
                        t = tid
                        while t < lim:
                            c = order[p0 + t]
                            if st.slot_of[c] >= 0:
                                pchange[t] = INFINITY
                                pslot[t] = 0
                            else:
                                pchange[t] = _candidate(&D[c, 0], n, k, &st.rl[0],
                                                        &st.near[0], &st.dn[0], &st.ds[0],
                                                        &w[0], pbufs + tid * _stride(k),
                                                        pslot + t)
                            t = t + team_size
                        ck_barrier()
                        if tid == 0:
                            pctl[C_FOUND] = _first_improving(pctl, ptd, pchange, eps)
                            if pctl[C_FOUND] >= 0:
                                _swap_medoid(st, pslot[pctl[C_FOUND]],
                                             order[p0 + pctl[C_FOUND]])
                        ck_barrier()
                        if pctl[C_FOUND] >= 0:
                            # every thread updates the caches of its share of the objects
                            c = order[p0 + pctl[C_FOUND]]
                            _swap_update(st, &D[c, 0], pslot[pctl[C_FOUND]], c,
                                         tid * n // team_size, (tid + 1) * n // team_size)
                            ck_barrier()
                        if tid == 0:
                            _after_batch(st, &w[0], &order[0], pctl, ptd, pctl[C_FOUND],
                                         min_batch, max_batch, max_iter)
                        ck_barrier()
            if nt > 1:
                # Threads only pay off when they really run side by side: on a busy machine
                # every barrier can wait for a time slice. The team keeps working while its
                # rate (candidates per second) beats 0.7 times the single-thread rate;
                # otherwise one thread works for 8 segments before the team is tried again.
                # The swaps are the same either way: this never changes the result.
                rate = ctl[C_SEEN] / max(_now() - t_start, 1e-9)
                segment += 1
                if not team:
                    rate_single = rate if segment == 1 else 0.5 * (rate_single + rate)
                    single_left -= 1
                    team = single_left <= 0
                elif rate < 0.7 * rate_single:
                    team = False
                    single_left = backoff
                    backoff = min(2 * backoff, 1024)
                else:
                    backoff = 8
                ctl[C_BATCH] = min_batch if team else 1
                ctl[C_SEGLEN] = 4096
                # a team segment may last as long as one thread would need for it
                tdv[2] = _now() + 4096 / rate_single if team else 0.0
            ctl[C_YIELD] = 0
            ctl[C_SEEN] = 0
            _check_signals()
    return _results(st, tdv[0], ctl[C_ITER], ctl[C_SWAPS])


cdef int _full_scan(const floating[:, ::1] D, _State st, const double* w,
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


cdef bint _do_best_swap(const floating[:, ::1] D, _State st, const double* w,
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


def fastpam1(const floating[:, ::1] D, medoids, const double[::1] w, intp_t max_iter=300,
             double eps=1e-12, int n_threads=1):
    """FastPAM1: the swaps of PAM (best swap over all pairs per iteration, lowest candidate
    then lowest slot on ties) found in O(n^2) instead of O(k n^2) per iteration.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef _State st = _State(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, best
    cdef double td
    cdef int nt = max(1, n_threads)
    allidx_arr = np.arange(n, dtype=np.intp)
    change_arr = np.empty(n, dtype=np.float64)
    slot_arr = np.empty(n, dtype=np.intp)
    bufs_arr = np.empty(nt * _stride(k), dtype=np.float64)
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
    return _results(st, td, n_iter, n_swaps)


def pam_swap(const floating[:, ::1] D, medoids, const double[::1] w, intp_t max_iter=300,
             double eps=1e-12, int n_threads=1):
    """Original PAM SWAP: every (slot, non-medoid) pair's change computed directly in O(n),
    O(k n^2) per iteration; the best pair (lowest candidate, then lowest slot on ties) is
    executed while it improves.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef _State st = _State(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, best, start, end
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
    return _results(st, td, n_iter, n_swaps)


def fastpam2(const floating[:, ::1] D, medoids, const double[::1] w, intp_t max_iter=300,
             double fasttol=1.0, double eps=1e-12, int n_threads=1):
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
    cdef _State st = _State(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, t, tid, start, end, slot_b, q
    cdef double td, acc, val, ch
    cdef int nt = max(1, n_threads)
    # per-thread best change / candidate for every slot
    tbest_arr = np.empty((nt, _stride(k)), dtype=np.float64)
    tcand_arr = np.empty((nt, _stride(k)), dtype=np.intp)
    bufs_arr = np.empty(nt * _stride(k), dtype=np.float64)
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
                    delta = &bufs[0] + tid * _stride(k)
                    for c in prange(start, end, schedule='static'):
                        if st.slot_of[c] >= 0:
                            continue
                        acc = _candidate_deltas(&D[c, 0], n, k, &st.rl[0], &st.near[0],
                                                &st.dn[0], &st.ds[0], &w[0], delta)
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
            for q in range(k - 1):
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
    return _results(st, td, n_iter, n_swaps)


def alternating(const floating[:, ::1] D, medoids, const double[::1] w,
                intp_t max_iter=300, double eps=1e-12, int n_threads=1):
    """Alternating (Voronoi iteration): assign every object to its nearest medoid, then make
    each cluster's medoid the member with the smallest weighted sum of distances to the
    members (keeping the current medoid unless another is better by more than
    ``eps * TD``; lowest index among equals); repeat until no medoid changes.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps (number of medoid replacements)
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef _State st = _State(n, medoids)
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
    return _results(st, td, n_iter, n_swaps)
