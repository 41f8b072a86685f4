"""The k-medoids working state: assignment caches, candidate evaluation and swaps.

Every swap algorithm (``_medoid_swap``: PAM, FastPAM1, FastPAM2, alternating;
``_fasterpam``; ``_clarans``) runs on one :class:`MedoidState` and the operations below,
so each piece of the method exists once. Everything here works on a square, symmetric
dissimilarity matrix ``D`` (float32 or float64, C-contiguous) and knows nothing about
estimators: inputs are validated by the callers. Because ``D`` is symmetric, the distances
of all objects to a candidate ``c`` are read from the contiguous row ``D[c]`` rather than
from the column.

FasterPAM also runs on a block ``D`` of shape (n_candidates, n): row ``c`` holds the
distances of candidate ``c`` to the ``n`` objects served (one batch of a large data set),
and rows ``0..n-1`` are those objects themselves, so that an object index and a candidate
index name the same object below ``n``. Every operation here reads rows of D only and
indexes the caches by the served object, so nothing else changes.

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

from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from cpython.exc cimport PyErr_CheckSignals


cdef int _check_signals() except -1 nogil:
    with gil:
        if PyErr_CheckSignals() != 0:
            return -1
    return 0


# --------------------------------------------------------------------------------------
# Assignment caches, kept in a MedoidState: ``M[o, i]`` is the distance of object o to the medoid
# in slot i, so that re-scanning an object reads one contiguous row of k values.
# --------------------------------------------------------------------------------------

cdef void _rescan(MedoidState st, intp_t o) noexcept nogil:
    """Recompute nearest and second nearest medoid of object ``o`` from ``M`` (O(k))."""
    cdef intp_t i, bi = -1, si = -1, own = st.slot_of[o], k = st.k
    cdef double d, bd = INFINITY, sd = INFINITY
    cdef const double* row = &st.M[o, 0]
    for i in range(k):
        if i == own:
            continue
        d = row[i]
        # ``bi < 0``: the first slot is taken even when nothing compares lower (NaN), so
        # that no cache ever holds slot -1, whatever D holds
        if bi < 0 or d < bd:
            si = bi
            sd = bd
            bi = i
            bd = d
        elif si < 0 or d < sd:
            si = i
            sd = d
    if own >= 0:
        # a medoid is its own nearest (even when another medoid is at distance 0); the
        # best other slot is its second
        st.near[o] = own
        st.dn[o] = 0.0
        st.sec[o] = bi
        st.ds[o] = bd
        st.ds32[o] = _f32_up(bd)
    else:
        st.near[o] = bi
        st.dn[o] = bd
        st.sec[o] = si
        st.ds[o] = sd
        st.ds32[o] = _f32_up(sd)


cdef void _fill_medoid_distances(const floating[:, ::1] D, MedoidState st,
                                 int n_threads) noexcept nogil:
    """M[o, i] = D[med[i], o], reading the medoids' rows; threads own blocks of objects
    (whole rows of M), so they never write to the same cache line."""
    cdef intp_t b, i, o, nb = (st.n + 255) // 256
    for b in prange(nb, num_threads=n_threads, schedule='static'):
        for i in range(st.k):
            for o in range(b * 256, min(st.n, b * 256 + 256)):
                st.M[o, i] = D[st.med[i], o]


cdef double _refresh(MedoidState st, const double* w, int n_threads) noexcept nogil:
    """Assign every object from M, then removal losses; return the loss TD."""
    cdef intp_t o
    for o in prange(st.n, num_threads=n_threads, schedule='static'):
        _rescan(st, o)
    return _losses(st, w)


cdef double _losses(MedoidState st, const double* w) noexcept nogil:
    """The removal losses ``rl[i]`` (sum over the objects nearest to slot i of
    w * (ds - dn)) and the loss TD (returned), in one pass over the objects; each sum is
    taken in object order, as two separate passes would."""
    cdef intp_t i, o
    cdef double td = 0.0, wo
    cdef const intp_t* near = &st.near[0]
    cdef const double* dn = &st.dn[0]
    cdef const double* ds = &st.ds[0]
    cdef double* rl = &st.rl[0]
    for i in range(st.k):
        rl[i] = 0.0
    for o in range(st.n):
        wo = w[o]
        td += wo * dn[o]
        rl[near[o]] += wo * (ds[o] - dn[o])
    return td


# --------------------------------------------------------------------------------------
# Swap evaluation
# --------------------------------------------------------------------------------------

cdef extern from "_medoid_scan.h" nogil:
    void ck_scan_init()
    double ck_deltas_d(const double* row, const float* dsu, intp_t n, intp_t k,
                       const double* rl, const intp_t* near, const double* dn,
                       const double* ds, const double* w, double* lanes)
    double ck_deltas_f(const float* row, const float* dsu, intp_t n, intp_t k,
                       const double* rl, const intp_t* near, const double* dn,
                       const double* ds, const double* w, double* lanes)


ck_scan_init()


cdef double _candidate_deltas(const floating* row, intp_t n, intp_t k, const double* rl,
                              const intp_t* near, const double* dn, const double* ds,
                              const float* dsu, const double* w,
                              double* delta) noexcept nogil:
    """FastPAM1 inner loop, in one pass over all objects: on return ``delta[i] + acc`` is the
    change of TD when the candidate (distances ``row``) replaces the medoid of slot i;
    returns ``acc``, the part shared by all slots. ``delta`` is scratch of
    ``_delta_stride(k)`` doubles (four partial sums per slot).

    For each object o with d(o, c) < ds[o] (listed by ``dsu``, float32 upper bounds of ds:
    objects listed with d(o, c) >= ds[o] add zero): if c is nearer than the
    nearest, c takes o whichever medoid leaves (``acc``) and the removal loss counted for
    o is cancelled; otherwise c only beats the second nearest, which matters if o's
    nearest leaves. The loop itself is C (``_medoid_scan.h``): contributing objects listed
    without branches by vector compares, then summed into four interleaved partial sums.
    """
    if floating is double:
        return ck_deltas_d(row, dsu, n, k, rl, near, dn, ds, w, delta)
    else:
        return ck_deltas_f(row, dsu, n, k, rl, near, dn, ds, w, delta)


cdef double _candidate(const floating* row, intp_t n, intp_t k, const double* rl,
                       const intp_t* near, const double* dn, const double* ds,
                       const float* dsu, const double* w, double* delta,
                       intp_t* best_slot) noexcept nogil:
    """Best change of TD for one candidate over all slots (lowest slot on ties); the slot
    goes to ``best_slot``. ``delta`` is scratch of ``_delta_stride(k)`` doubles."""
    cdef intp_t i, b = 0
    cdef double acc = _candidate_deltas(row, n, k, rl, near, dn, ds, dsu, w, delta)
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


cdef void _do_swap(MedoidState st, const floating* row, intp_t b, intp_t j) noexcept nogil:
    """Replace the medoid in slot ``b`` by object ``j`` (whose distances to all objects are
    ``row``) and update M and the caches in O(n), plus O(k) rescans for the few objects
    that lose their nearest or second nearest."""
    _swap_medoid(st, b, j)
    _swap_update(st, row, b, j, 0, st.n)


cdef void _swap_medoid(MedoidState st, intp_t b, intp_t j) noexcept nogil:
    st.slot_of[st.med[b]] = -1
    st.med[b] = j
    st.slot_of[j] = b


cdef void _swap_update(MedoidState st, const floating* row, intp_t b, intp_t j, intp_t start,
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
            st.ds32[o] = _f32_up(st.dn[o])
            st.near[o] = b
            st.dn[o] = d
        elif d < st.ds[o] or (d == st.ds[o] and b < st.sec[o]):
            st.sec[o] = b
            st.ds[o] = d
            st.ds32[o] = _f32_up(d)
        elif st.sec[o] == b:
            _rescan(st, o)


cdef double _apply_swap(MedoidState st, const floating* row, const double* w, intp_t b,
                        intp_t j) noexcept nogil:
    """Swap, then recompute the removal losses and the loss TD from the caches."""
    _do_swap(st, row, b, j)
    return _losses(st, w)


# --------------------------------------------------------------------------------------
# Working state shared by the swap algorithms
# --------------------------------------------------------------------------------------

cdef class MedoidState:
    """Caches for one run: medoids, slot map, nearest/second, removal losses and the
    n x k distances to the medoids (see _medoid_state.pxd for the fields)."""

    def __init__(self, intp_t n, medoids, intp_t n_candidates=-1):
        # ``n`` objects are served (the columns of D); ``n_candidates`` >= n rows of D may
        # become medoids, rows 0..n-1 being the served objects themselves (default: n)
        self.n = n
        self.k = len(medoids)
        self.med_arr = np.array(medoids, dtype=np.intp)
        self.slot_arr = np.full(max(n, n_candidates), -1, dtype=np.intp)
        self.slot_arr[self.med_arr] = np.arange(self.k, dtype=np.intp)
        self.near_arr = np.empty(n, dtype=np.intp)
        self.sec_arr = np.empty(n, dtype=np.intp)
        self.dn_arr = np.empty(n, dtype=np.float64)
        self.ds_arr = np.empty(n, dtype=np.float64)
        self.ds32_arr = np.empty(n, dtype=np.float32)
        self.rl_arr = np.zeros(self.k, dtype=np.float64)
        self.M_arr = np.empty((n, self.k), dtype=np.float64)
        self.med = self.med_arr
        self.slot_of = self.slot_arr
        self.near = self.near_arr
        self.sec = self.sec_arr
        self.dn = self.dn_arr
        self.ds = self.ds_arr
        self.ds32 = self.ds32_arr
        self.rl = self.rl_arr
        self.M = self.M_arr

    def results(self, double td, intp_t n_iter, intp_t n_swaps):
        """What a swap kernel returns: medoids, labels (copies), loss, n_iter, n_swaps."""
        return self.med_arr.copy(), self.near_arr.copy(), td, n_iter, n_swaps


cdef double _setup(const floating[:, ::1] D, MedoidState st, const double* w,
                   int n_threads) noexcept nogil:
    _fill_medoid_distances(D, st, n_threads)
    return _refresh(st, w, n_threads)


cdef int _scan_candidates(const floating[:, ::1] D, MedoidState st, const double* w,
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
                                       &st.ds[0], &st.ds32[0], w, bufs, &slot[t])
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
                                       &st.ds[0], &st.ds32[0], w,
                                       bufs + tid * _delta_stride(k), &slot[t])
    return 0


# --------------------------------------------------------------------------------------
# The eager scan's control, shared by FasterPAM and FasterMSC
# --------------------------------------------------------------------------------------

cdef void _start_scan(Scan* sc, double loss, intp_t segment_len, const intp_t* order,
                      intp_t n, intp_t max_iter) noexcept nogil:
    """A scan before its first batch: first pass, no swap yet, first batch of one."""
    sc.pos = 0
    sc.limit = 0
    sc.batch = 1
    sc.reaches_last = False
    sc.last = -1
    sc.found = -1
    sc.n_iter = 1
    sc.n_swaps = 0
    sc.swaps_before = 0
    sc.loss = loss
    sc.loss_before = loss
    sc.stop = False
    sc.leave = False
    sc.seen = 0
    sc.segment_len = segment_len
    sc.deadline = 0.0
    _next_batch(sc, order, n, max_iter)


cdef void _next_batch(Scan* sc, const intp_t* order, intp_t n,
                      intp_t max_iter) noexcept nogil:
    """Close a finished pass (or stop) and set the next batch: ``sc.limit`` candidates from
    ``sc.pos``, cut before the last swapped object (``sc.reaches_last`` set then)."""
    cdef intp_t t, limit
    if sc.pos >= n:
        # a full pass without reaching the last swap: stop when it changed nothing
        if sc.n_swaps == sc.swaps_before or not sc.loss < sc.loss_before \
                or sc.n_iter >= max_iter:
            sc.stop = True
            return
        sc.n_iter += 1
        sc.swaps_before = sc.n_swaps
        sc.loss_before = sc.loss
        sc.pos = 0
    limit = min(sc.batch, n - sc.pos)
    sc.reaches_last = False
    for t in range(limit):
        if order[sc.pos + t] == sc.last:
            limit = t
            sc.reaches_last = True
            break
    sc.limit = limit


cdef intp_t _first_improving(const Scan* sc, const double* change,
                             double bound) noexcept nogil:
    """Position of the first candidate of the batch whose change is below ``bound`` (the
    improvement threshold, a negative number), or -1."""
    cdef intp_t t
    for t in range(sc.limit):
        if change[t] < bound:
            return t
    return -1


cdef void _advance(Scan* sc, const intp_t* order, intp_t n, intp_t found, double loss,
                   intp_t min_batch, intp_t max_batch, intp_t max_iter) noexcept nogil:
    """Bookkeeping after a batch (the swap at position ``found``, if any, already done and
    ``loss`` recomputed): move on, stop, or set the next batch."""
    sc.seen += sc.limit
    if found >= 0:
        sc.loss = loss
        sc.last = order[sc.pos + found]
        sc.n_swaps += 1
        sc.pos += found + 1
        sc.batch = min_batch
    else:
        sc.pos += sc.limit
        sc.batch = min(2 * sc.batch, max_batch)
        if sc.reaches_last:
            sc.stop = True  # every object was checked since the last swap
            return
    _next_batch(sc, order, n, max_iter)
    if sc.seen >= sc.segment_len or (sc.deadline > 0 and _now() > sc.deadline):
        sc.leave = True
