"""Silhouette clustering (Lenssen and Schubert, SISAP 2022; Information Systems 120, 2024):
PAMMEDSIL, FastMSC and FasterMSC optimise the medoid silhouette, PAMSIL the original
silhouette; plus the silhouette measures themselves.

Definitions
-----------
* Medoid silhouette of object o: ``s(o) = 1 - a / b``, ``a`` / ``b`` the distances to its
  nearest / second nearest medoid, and ``s(o) = 0`` when ``a = b = 0`` (an object on two
  coincident medoids; scikit-learn's 0/0 convention; the ``kmedoids`` package scores it 1).
  The kernels minimise the loss ``L = sum_o w[o] * (1 - s(o))`` and report the weighted
  mean ``1 - L / W``, ``W = sum_o w[o]``; integer weights equal duplicated objects.
* Silhouette (Rousseeuw 1987) of the nearest-medoid partition, exactly as scikit-learn:
  ``(b - a) / max(a, b)``, ``a`` the mean distance to the other members of the own
  cluster, ``b`` the smallest mean distance to another cluster; 0 for an object alone in
  its cluster and when ``a = b = 0``. PAMSIL takes no weights.

Rules shared by every kernel here
---------------------------------
* The medoid-silhouette caches extend MedoidState's nearest / second nearest (``near``,
  ``dn``, ``sec``, ``ds``) by the third nearest (``thr``, ``dt``; ``dt = inf`` when
  k = 2), all ordered by (distance, slot), a medoid always first in its own slot.
* One tolerance ``tol = eps * W`` (``eps * n`` for PAMSIL) both for ties and for
  improvement: a value beats the best so far only when it is better by more than
  ``tol``, so values equal up to rounding go to the first in scanning order (lowest
  candidate, then lowest slot; PAMSIL: lowest slot, then lowest candidate, as in the
  original PAMSIL), and a swap is executed only when it improves the loss by more than
  ``tol``. This makes FastMSC's swaps exactly PAMMEDSIL's even where their floating-point
  sums round differently.
* Accumulation in float64 whatever the input dtype; the loss is recomputed from the caches
  after each swap.
* Results never depend on the number of threads: candidates are evaluated in parallel into
  per-candidate outputs, and every choice and every sum is made sequentially.
* Long loops check for Ctrl-C between blocks of candidates (``KeyboardInterrupt``).
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY, isfinite

from clusterkit._fast._medoid_state cimport (
    SCAN_BLOCK,
    MedoidState,
    Scan,
    _advance,
    _check_signals,
    _do_swap,
    _fill_medoid_distances,
    _first_improving,
    _now,
    _setup,
    _start_scan,
    _stride,
    _swap_medoid,
)
from clusterkit._fast._typedefs cimport intp_t


cdef struct Reach:
    # what the FastMSC inner loop reads of an object the candidate reaches, in one record
    # (the loop streams one array instead of ten), pre-multiplied by the object's weight w
    # (w * min(a, b) = min(w * a, w * b) for w >= 0, so the loop needs no multiplication
    # by w; for w = 1 the values are bit for bit the unweighted ones)
    double d2            # distance to the second nearest medoid (the case test)
    double wd1, wd2      # w * d1, w * d2
    double wi1, wi2      # w / d1, w / d2 (0 for a zero distance)
    double wl12, wl13, wl23  # w * d1/d2, w * d1/d3, w * d2/d3
    int near, sec        # slots of the nearest and second nearest medoid


cdef inline double _ratio(double a, double b) noexcept nogil:
    """a / b for 0 <= a <= b; 1 when b == 0 (then a == 0 and the silhouette is 0)."""
    if b > 0:
        return a / b
    return 1.0


# --------------------------------------------------------------------------------------
# Medoid-silhouette state: MedoidState plus the third nearest and the cached ratios
# --------------------------------------------------------------------------------------

cdef class MscState(MedoidState):
    """MedoidState with the third nearest medoid (``thr``, ``dt``) and, per object, the
    ratios ``l12 = a/b``, ``l13 = d1/d3``, ``l23 = d2/d3`` of its three distances and the
    reciprocals ``inv1 = 1/d1``, ``inv2 = 1/d2`` (0 for a zero distance); ``rl[i]`` holds
    the change of the loss when slot i is removed (and nothing added)."""
    cdef public object thr_arr, dt_arr, l12_arr, l13_arr, l23_arr, reach_arr, w_arr
    cdef intp_t[::1] thr
    cdef double[::1] dt, l12, l13, l23
    # the inner loop's copy of each object's caches (see Reach), and the weights
    cdef Reach* reach
    cdef const double* w

    def __init__(self, intp_t n, medoids, const double[::1] w):
        super().__init__(n, medoids)
        # float64 storage holds the Reach records (9 x 8 bytes each)
        self.reach_arr = np.zeros((n, sizeof(Reach) // 8), dtype=np.float64)
        cdef double[:, ::1] rv = self.reach_arr
        self.reach = <Reach*> &rv[0, 0]
        self.w_arr = w
        self.w = &w[0]
        self.thr_arr = np.full(n, -1, dtype=np.intp)
        self.dt_arr = np.full(n, np.inf)
        self.l12_arr = np.zeros(n)
        self.l13_arr = np.zeros(n)
        self.l23_arr = np.zeros(n)
        self.thr = self.thr_arr
        self.dt = self.dt_arr
        self.l12 = self.l12_arr
        self.l13 = self.l13_arr
        self.l23 = self.l23_arr


cdef void _rescan3(MscState st, intp_t o) noexcept nogil:
    """Nearest, second and third medoid of object ``o`` from ``M`` (O(k)), then its
    ratios. Strict ``<`` in slot order: ties go to the lowest slot."""
    cdef intp_t i, b1 = -1, b2 = -1, b3 = -1, own = st.slot_of[o]
    cdef double d, d1 = INFINITY, d2 = INFINITY, d3 = INFINITY
    cdef const double* row = &st.M[o, 0]
    for i in range(st.k):
        if i == own:
            continue
        d = row[i]
        # a slot is taken even when nothing compares lower (NaN): no cache holds slot -1
        if b1 < 0 or d < d1:
            b3, d3 = b2, d2
            b2, d2 = b1, d1
            b1, d1 = i, d
        elif b2 < 0 or d < d2:
            b3, d3 = b2, d2
            b2, d2 = i, d
        elif b3 < 0 or d < d3:
            b3, d3 = i, d
    if own >= 0:
        # a medoid is its own nearest, also when another medoid is at distance 0
        b3, d3 = b2, d2
        b2, d2 = b1, d1
        b1, d1 = own, 0.0
    st.near[o] = b1
    st.dn[o] = d1
    st.sec[o] = b2
    st.ds[o] = d2
    st.thr[o] = b3
    st.dt[o] = d3
    _set_ratios(st, o)


cdef inline void _set_ratios(MscState st, intp_t o) noexcept nogil:
    st.l12[o] = _ratio(st.dn[o], st.ds[o])
    st.l13[o] = _ratio(st.dn[o], st.dt[o])
    st.l23[o] = _ratio(st.ds[o], st.dt[o])
    cdef Reach* r = &st.reach[o]
    cdef double w = st.w[o]
    r.d2 = st.ds[o]
    r.wd1 = w * st.dn[o]
    r.wd2 = w * st.ds[o]
    r.wi1 = w / st.dn[o] if st.dn[o] > 0 else 0.0
    r.wi2 = w / st.ds[o] if st.ds[o] > 0 else 0.0
    r.wl12 = w * st.l12[o]
    r.wl13 = w * st.l13[o]
    r.wl23 = w * st.l23[o]
    r.near = <int> st.near[o]
    r.sec = <int> st.sec[o]


cdef double _msc_refresh(MscState st, const double* w) noexcept nogil:
    """Removal changes ``rl`` from the caches; return the loss L."""
    cdef intp_t i, o
    cdef double loss = 0.0
    for i in range(st.k):
        st.rl[i] = 0.0
    for o in range(st.n):
        # removing the nearest leaves (d2, d3); removing the second leaves (d1, d3)
        st.rl[st.near[o]] += w[o] * (st.l23[o] - st.l12[o])
        st.rl[st.sec[o]] += w[o] * (st.l13[o] - st.l12[o])
        loss += w[o] * st.l12[o]
    return loss


cdef double _msc_setup(const floating[:, ::1] D, MscState st, const double* w,
                       int n_threads) noexcept nogil:
    """Distances to the medoids, all caches, removal changes; return the loss L."""
    cdef intp_t o
    _fill_medoid_distances(D, st, n_threads)
    for o in prange(st.n, num_threads=n_threads, schedule='static'):
        _rescan3(st, o)
    return _msc_refresh(st, w)


# --------------------------------------------------------------------------------------
# Swap evaluation (FastMSC) and execution
# --------------------------------------------------------------------------------------

cdef inline double _min(double a, double b) noexcept nogil:
    return a if a < b else b


cdef double _msc_hit_zero(const Reach* r, double w, double* delta) noexcept nogil:
    """``_msc_hit`` for ``d(o, c) = 0`` (the candidate itself, or a duplicate of it): the
    rare case where a pair can be (0, 0), handled with plain branches (``w``: o's
    weight; with w = 0 every term is 0 whichever branch is taken)."""
    cdef double x = w if r.wd1 <= 0 else 0.0       # w * ratio of the new top pair (0, d1)
    if r.d2 > 0:
        # c enters the top two (nearest)
        delta[r.near] += 0.0 - x - r.wl23 + r.wl12
        delta[r.sec] += r.wl12 - r.wl13
        return x - r.wl12
    # d1 = d2 = 0: c can only become third; the pairs (d2, 0) and (d1, 0) are (0, 0)
    delta[r.near] += w - r.wl23
    delta[r.sec] += w - r.wl13
    return 0.0


cdef inline double _msc_hit(const Reach* r, double doc, double* delta) noexcept nogil:
    """Contribution of an object the candidate reaches (``0 < doc = d(o, c) < d3``,
    record ``r``): adds the corrections of its nearest and second slot to ``delta`` and
    returns the part shared by all slots (all weighted by o's weight w).

    Cases (pairs are (nearest, second) distances after the swap):

    * doc < d2 (c enters the top two): for any leaving slot but o's nearest, the pair is
      (min(doc, d1), max(doc, d1)), ratio ``x``: shared part ``x - l12``; if the nearest
      leaves, the pair is (doc, d2): correction ``doc/d2 - l23 - (x - l12)`` on top of the
      removal change ``l23 - l12``; if the second leaves, the shared pair holds and the
      correction undoes the removal change ``l13 - l12``.
    * d2 <= doc < d3 (c becomes third): nothing shared; if the nearest leaves, the pair is
      (d2, doc): correction ``d2/doc - l23``; if the second leaves, (d1, doc):
      ``d1/doc - l13``.

    Written without branches (for small k the cases are unpredictable): with
    ``y = min(doc/d2, d2/doc)`` and ``t = [doc < d2]`` the nearest's correction is
    ``y - l23 - t (x - l12)`` and the second's ``min(l12, d1/doc) - l13``; each minimum is
    the value of the case that holds, and ``x = min(doc/d1, d1/doc)``."""
    cdef double inv = 1.0 / doc
    cdef double ra = r.wd1 * inv                   # w d1 / doc
    cdef double x = _min(doc * r.wi1, ra)
    cdef double y = _min(doc * r.wi2, r.wd2 * inv)
    cdef double u = (doc < r.d2) * (x - r.wl12)    # the shared part, 0 when c is third
    delta[r.near] += (y - r.wl23) - u
    delta[r.sec] += _min(r.wl12, ra) - r.wl13
    return u


cdef inline intp_t _scratch(intp_t k) noexcept nogil:
    """Length of one thread's scratch for ``_msc_deltas``: four lanes of k corrections."""
    return _stride(4 * k)


cdef double _msc_deltas(const floating* row, MscState st, double* delta) noexcept nogil:
    """FastMSC inner loop, one pass over all objects: on return ``delta[i] + acc`` is the
    change of L when the candidate (distances ``row``) replaces the medoid of slot i;
    returns ``acc``, the part shared by all slots. ``delta`` is scratch of
    ``_scratch(k)``; its first k entries hold the result.

    ``delta`` starts from the removal changes ``rl`` (the candidate is irrelevant to o
    when d(o, c) >= d3); the objects it reaches add their corrections (``_msc_hit``) into
    one of four lanes in turn, so that consecutive reached objects with the same nearest
    medoid do not wait for each other's addition; the lanes are summed at the end.
    As in FastPAM1's loop, each block of 256 objects is either scanned with a predictable
    branch (few objects reached, large k) or first compacted without branches into the
    list of reached objects (many, small k), chosen from the previous block's count; both
    paths perform the same operations in the same order (bit-identical results).
    """
    cdef intp_t i, o, t, m, start, end, hits, k = st.k, n = st.n, h = 0
    cdef intp_t idx[256]
    cdef double acc = 0.0
    cdef bint compact = False
    cdef const double* dt = &st.dt[0]
    cdef const Reach* reach = st.reach
    for i in range(4 * k):
        delta[i] = 0.0
    start = 0
    while start < n:
        end = min(n, start + 256)
        if compact:
            m = 0
            for o in range(start, end):
                idx[m] = o
                m += row[o] < dt[o]
            for t in range(m):
                o = idx[t]
                if row[o] > 0:
                    acc += _msc_hit(&reach[o], row[o], delta + (h & 3) * k)
                else:
                    acc += _msc_hit_zero(&reach[o], st.w[o], delta + (h & 3) * k)
                h += 1
            hits = m
        else:
            hits = 0
            for o in range(start, end):
                if row[o] < dt[o]:
                    if row[o] > 0:
                        acc += _msc_hit(&reach[o], row[o], delta + (h & 3) * k)
                    else:
                        acc += _msc_hit_zero(&reach[o], st.w[o], delta + (h & 3) * k)
                    h += 1
                    hits += 1
        compact = hits > 12
        start = end
    for i in range(k):
        delta[i] = st.rl[i] + ((delta[i] + delta[k + i]) + (delta[2 * k + i] + delta[3 * k + i]))
    return acc


cdef inline intp_t _pick_slot(const double* delta, double acc, intp_t k,
                              double tol) noexcept nogil:
    """First slot whose change ``delta[i] + acc`` no later slot beats by more than tol."""
    cdef intp_t i, b = 0
    cdef double best = delta[0] + acc, val
    for i in range(1, k):
        val = delta[i] + acc
        if val < best - tol:
            best = val
            b = i
    return b


cdef double _msc_candidate(const floating* row, MscState st, const double* w, double tol,
                           double* delta, intp_t* slot) noexcept nogil:
    """Best change of L for one candidate (slot chosen by ``_pick_slot``)."""
    cdef double acc = _msc_deltas(row, st, delta)
    slot[0] = _pick_slot(delta, acc, st.k, tol)
    return delta[slot[0]] + acc


cdef inline bint _before(double d, intp_t i, double e, intp_t j) noexcept nogil:
    """(d, i) < (e, j) lexicographically: the cache order (distance, then slot)."""
    return d < e or (d == e and i < j)


cdef void _msc_update(MscState st, const floating* row, intp_t b, intp_t j, intp_t start,
                      intp_t end) noexcept nogil:
    """Caches of objects start..end-1 after slot ``b`` received object ``j`` (``row`` =
    its distances), ordered lexicographically on (distance, slot) exactly as a rescan
    would order them. Where slot ``b`` moves within an object's top three (or enters it),
    the entries are shifted in O(1); only when it moves beyond the third (whose successor
    is not cached) is the object rescanned in O(k)."""
    cdef intp_t o
    cdef double d
    for o in range(start, end):
        d = row[o]
        st.M[o, b] = d
        if o == j:
            _rescan3(st, o)
        elif st.slot_of[o] >= 0:
            # another medoid: its own slot stays first, only the second and third move
            if st.sec[o] == b or st.thr[o] == b:
                _rescan3(st, o)
            elif _before(d, b, st.ds[o], st.sec[o]):
                st.thr[o], st.dt[o] = st.sec[o], st.ds[o]
                st.sec[o], st.ds[o] = b, d
                _set_ratios(st, o)
            elif _before(d, b, st.dt[o], st.thr[o]):
                st.thr[o], st.dt[o] = b, d
                _set_ratios(st, o)
        elif st.near[o] == b:
            if _before(d, b, st.ds[o], st.sec[o]):
                st.dn[o] = d
                _set_ratios(st, o)
            else:
                _rescan3(st, o)
        elif st.sec[o] == b:
            if _before(d, b, st.dn[o], st.near[o]):
                st.sec[o], st.ds[o] = st.near[o], st.dn[o]
                st.near[o], st.dn[o] = b, d
                _set_ratios(st, o)
            elif _before(d, b, st.dt[o], st.thr[o]):
                st.ds[o] = d
                _set_ratios(st, o)
            else:
                _rescan3(st, o)
        elif st.thr[o] == b:
            if _before(d, b, st.dn[o], st.near[o]):
                st.thr[o], st.dt[o] = st.sec[o], st.ds[o]
                st.sec[o], st.ds[o] = st.near[o], st.dn[o]
                st.near[o], st.dn[o] = b, d
                _set_ratios(st, o)
            elif _before(d, b, st.ds[o], st.sec[o]):
                st.thr[o], st.dt[o] = st.sec[o], st.ds[o]
                st.sec[o], st.ds[o] = b, d
                _set_ratios(st, o)
            elif d <= st.dt[o]:
                st.dt[o] = d
                _set_ratios(st, o)
            else:
                _rescan3(st, o)
        elif _before(d, b, st.dn[o], st.near[o]):
            st.thr[o], st.dt[o] = st.sec[o], st.ds[o]
            st.sec[o], st.ds[o] = st.near[o], st.dn[o]
            st.near[o], st.dn[o] = b, d
            _set_ratios(st, o)
        elif _before(d, b, st.ds[o], st.sec[o]):
            st.thr[o], st.dt[o] = st.sec[o], st.ds[o]
            st.sec[o], st.ds[o] = b, d
            _set_ratios(st, o)
        elif _before(d, b, st.dt[o], st.thr[o]):
            st.thr[o], st.dt[o] = b, d
            _set_ratios(st, o)


cdef double _msc_apply(const floating[:, ::1] D, MscState st, const double* w, intp_t b,
                       intp_t j, int n_threads) noexcept nogil:
    """Swap slot ``b`` to object ``j``, update the caches (threads own blocks of objects),
    recompute the removal changes and the loss sequentially; return the loss."""
    cdef intp_t blk, nb = (st.n + 1023) // 1024
    _swap_medoid(st, b, j)
    if n_threads <= 1:
        _msc_update(st, &D[j, 0], b, j, 0, st.n)
    else:
        for blk in prange(nb, num_threads=n_threads, schedule='static'):
            _msc_update(st, &D[j, 0], b, j, blk * 1024, min(st.n, blk * 1024 + 1024))
    return _msc_refresh(st, w)


cdef int _msc_scan(const floating[:, ::1] D, MscState st, const double* w, double tol,
                   const intp_t* cand, intp_t m, double* change, intp_t* slot,
                   double* bufs, int n_threads) except -1 nogil:
    """FastMSC evaluation of ``m`` candidates ``cand[0..m-1]`` into per-candidate outputs;
    medoids get change +inf."""
    cdef intp_t t, c, tid
    if n_threads <= 1 or m < 2:
        for t in range(m):
            c = cand[t]
            if st.slot_of[c] >= 0:
                change[t] = INFINITY
                slot[t] = 0
            else:
                change[t] = _msc_candidate(&D[c, 0], st, w, tol, bufs, &slot[t])
        return 0
    with parallel(num_threads=n_threads):
        tid = threadid()
        for t in prange(m, schedule='static', chunksize=1):
            c = cand[t]
            if st.slot_of[c] >= 0:
                change[t] = INFINITY
                slot[t] = 0
            else:
                change[t] = _msc_candidate(&D[c, 0], st, w, tol, bufs + tid * _scratch(st.k),
                                           &slot[t])
    return 0


cdef intp_t _best_candidate(const double* change, intp_t n, double tol) noexcept nogil:
    """First candidate (index order) whose change no later candidate beats by more than
    tol; -1 when all are medoids (+inf)."""
    cdef intp_t c, best = -1
    for c in range(n):
        if change[c] == INFINITY:
            continue
        if best < 0 or change[c] < change[best] - tol:
            best = c
    return best


cdef bint _steepest_swap(const floating[:, ::1] D, MscState st, const double* w,
                         const double* change, const intp_t* slot, double tol, double* loss,
                         int n_threads) noexcept nogil:
    """Execute the best of all candidates' swaps (``_best_candidate``) if it lowers the loss
    by more than tol, updating ``loss``; return whether a swap was done."""
    cdef intp_t best = _best_candidate(change, st.n, tol)
    if best < 0 or not change[best] < -tol:
        return False
    loss[0] = _msc_apply(D, st, w, slot[best], best, n_threads)
    return True


cdef double _total_distance(MedoidState st, const double* w) noexcept nogil:
    cdef intp_t o
    cdef double td = 0.0
    for o in range(st.n):
        td += w[o] * st.dn[o]
    return td


def _msc_results(MscState st, const double[::1] w, double loss, intp_t n_iter,
                 intp_t n_swaps):
    """medoids, labels, loss (sum of distances), medoid silhouette, n_iter, n_swaps."""
    cdef double W = float(np.sum(w))
    med, lab, td, it, sw = st.results(_total_distance(st, &w[0]), n_iter, n_swaps)
    return med, lab, td, 1.0 - loss / W, it, sw


def fastmsc(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoids, k >= 2
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """FastMSC: PAMMEDSIL's swaps (the best of all k(n-k) per iteration, ties to the lowest
    candidate then slot within ``tol = eps * W``) found in O(n^2) per iteration with the
    third-nearest caches, instead of O(k^2 n^2). Stops when no swap improves the loss by
    more than ``tol`` (or, a safeguard against rounding, when a swap did not lower it).

    Returns
    -------
    medoids, labels, loss (sum of weighted distances), medoid silhouette, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MscState st = MscState(n, medoids, w)
    cdef intp_t n_iter = 0, n_swaps = 0, start, m
    cdef int nt = max(1, n_threads)
    cdef double tol = eps * float(np.sum(w)), loss, before
    allidx_arr = np.arange(n, dtype=np.intp)
    change_arr = np.empty(n, dtype=np.float64)
    slot_arr = np.empty(n, dtype=np.intp)
    bufs_arr = np.empty(nt * _scratch(k), dtype=np.float64)
    cdef intp_t[::1] allidx = allidx_arr, slot = slot_arr
    cdef double[::1] change = change_arr, bufs = bufs_arr
    with nogil:
        loss = _msc_setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            before = loss
            start = 0
            while start < n:
                m = min(SCAN_BLOCK * nt, n - start)
                _msc_scan(D, st, &w[0], tol, &allidx[start], m, &change[start],
                          &slot[start], &bufs[0], nt)
                start += m
                _check_signals()
            if not _steepest_swap(D, st, &w[0], &change[0], &slot[0], tol, &loss, nt):
                break
            n_swaps += 1
            if not loss < before:
                break
    return _msc_results(st, w, loss, n_iter, n_swaps)


def fastermsc(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoids, k >= 2
    const double[::1] w,        # IN (n,) non-negative weights
    const intp_t[::1] order,    # IN (n,) the order in which candidates are visited
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """FasterMSC: eager medoid-silhouette swaps with the FastMSC inner loop.

    Candidates are visited in ``order``; a candidate's best swap (slot by the tolerance
    rule) is executed at once when it lowers the loss by more than ``tol = eps * W``. The
    pass control is FasterPAM's (``Scan`` in _medoid_state): a pass ends when the scan
    reaches the last swapped object again or the end of ``order``; the run stops after a
    pass without a swap, a pass that did not lower the loss, or ``max_iter`` passes.

    Threads evaluate a batch of the next candidates against the current medoids into
    per-candidate outputs; the first improving one in ``order`` is executed and the rest of
    the batch discarded, so the swaps are exactly the sequential ones. The batch starts at
    ``n_threads`` after a swap and doubles (up to 32 per thread) while nothing improves.
    Every parallel region costs a start-up, and on a busy machine a wait for a time slice,
    so the run is cut into segments of 1024 candidates (Ctrl-C is checked between them)
    and each segment runs on one thread or on the team, whichever has the higher measured
    rate (the other mode is measured again every 16 segments; the team is not tried where
    one thread needs under 10 us per candidate). The mode changes who evaluates the
    candidates, never the swaps.

    Returns
    -------
    medoids, labels, loss (sum of weighted distances), medoid silhouette, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    if order.shape[0] != n:
        raise ValueError(f"order has {order.shape[0]} entries, expected a permutation of {n}")
    cdef MscState st = MscState(n, medoids, w)
    cdef int nt = max(1, n_threads), used = 1
    cdef intp_t f, c, segment = 0, batch_lo = 1, batch_hi = 1
    cdef double tol = eps * float(np.sum(w)), loss, t0, rate
    cdef double rate_one = 0.0, rate_team = 0.0
    cdef Scan scan
    cdef Scan* sc = &scan
    change_arr = np.empty(32 * nt, dtype=np.float64)
    slot_arr = np.empty(32 * nt, dtype=np.intp)
    bufs_arr = np.empty(nt * _scratch(k), dtype=np.float64)
    cdef double[::1] change = change_arr, bufs = bufs_arr
    cdef intp_t[::1] slot = slot_arr
    with nogil:
        _start_scan(sc, _msc_setup(D, st, &w[0], nt), 1024, &order[0], n, max_iter)
        while not scan.stop:
            t0 = _now()
            while not scan.stop and not scan.leave:
                _msc_scan(D, st, &w[0], tol, &order[scan.pos], scan.limit, &change[0],
                          &slot[0], &bufs[0], used)
                f = _first_improving(sc, &change[0], -tol)
                loss = scan.loss
                if f >= 0:
                    c = order[scan.pos + f]
                    loss = _msc_apply(D, st, &w[0], slot[f], c, used)
                _advance(sc, &order[0], n, f, loss, batch_lo, batch_hi, max_iter)
            if nt > 1:
                # measure the mode just used; probe the team on segment 1 and every 16th
                rate = scan.seen / max(_now() - t0, 1e-9)
                if used == 1:
                    rate_one = rate
                else:
                    rate_team = rate
                segment += 1
                if rate_one > 1e5:
                    used = 1    # under 10 us per candidate: a region costs more than it saves
                elif segment == 1 or segment % 16 == 0:
                    used = nt if used == 1 else 1
                else:
                    used = nt if rate_team > rate_one else 1
                batch_lo = used
                batch_hi = 32 * used if used > 1 else 1
                scan.batch = batch_lo
            scan.leave = False
            scan.seen = 0
            _check_signals()
    return _msc_results(st, w, scan.loss, scan.n_iter, scan.n_swaps)


cdef double _pammedsil_pair(const floating* row, MscState st, const double* w,
                            intp_t i) noexcept nogil:
    """Loss L after the candidate (distances ``row``) replaces slot i, from scratch: the
    two smallest of o's distances to the other medoids (``M``) and to the candidate."""
    cdef intp_t o, j
    cdef double loss = 0.0, d, d1, d2
    cdef const double* mrow
    for o in range(st.n):
        d1 = row[o]
        d2 = INFINITY
        mrow = &st.M[o, 0]
        for j in range(st.k):
            if j == i:
                continue
            d = mrow[j]
            if d < d1:
                d2 = d1
                d1 = d
            elif d < d2:
                d2 = d
        loss += w[o] * _ratio(d1, d2)
    return loss


def pammedsil(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoids, k >= 2
    const double[::1] w,        # IN (n,) non-negative weights
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """PAMMEDSIL (Van der Laan et al. 2003): the original best-swap search for the medoid
    silhouette, every (slot, candidate) pair's loss computed from scratch in O(n k), so
    O(k^2 n^2) per iteration: a baseline (FastMSC performs the same swaps). Ties and the
    threshold as in ``fastmsc``.

    Returns
    -------
    medoids, labels, loss (sum of weighted distances), medoid silhouette, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MscState st = MscState(n, medoids, w)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, start, end
    cdef int nt = max(1, n_threads)
    cdef double tol = eps * float(np.sum(w)), loss, before
    change_arr = np.empty(n, dtype=np.float64)
    slot_arr = np.empty(n, dtype=np.intp)
    vals_arr = np.empty((n, k), dtype=np.float64)
    cdef double[::1] change = change_arr
    cdef intp_t[::1] slot = slot_arr
    cdef double[:, ::1] vals = vals_arr
    with nogil:
        loss = _msc_setup(D, st, &w[0], nt)
        while n_iter < max_iter:
            n_iter += 1
            before = loss
            start = 0
            while start < n:
                end = min(n, start + 16 * nt)
                for c in prange(start, end, num_threads=nt, schedule='static', chunksize=1):
                    change[c] = INFINITY
                    slot[c] = 0
                    if st.slot_of[c] >= 0:
                        continue
                    for i in range(k):
                        vals[c, i] = _pammedsil_pair(&D[c, 0], st, &w[0], i) - loss
                    slot[c] = _pick_slot(&vals[c, 0], 0.0, k, tol)
                    change[c] = vals[c, slot[c]]
                start = end
                _check_signals()
            if not _steepest_swap(D, st, &w[0], &change[0], &slot[0], tol, &loss, nt):
                break
            n_swaps += 1
            if not loss < before:
                break
    return _msc_results(st, w, loss, n_iter, n_swaps)


def msc_summary(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct medoids, k >= 2
    const double[::1] w,        # IN (n,) non-negative weights
    int n_threads=1,
):
    """Medoid silhouette of a medoid set and what removing each medoid would change.

    Returns
    -------
    silhouette : float
        Weighted mean medoid silhouette ``1 - L / W``.
    removal : ndarray of shape (k,)
        Change of the loss L when slot i is removed and nothing added (positive: the
        medoid silhouette would drop); meaningless for k = 2 (one medoid would be left).
    """
    cdef MscState st = MscState(D.shape[0], medoids, w)
    cdef double loss
    with nogil:
        loss = _msc_setup(D, st, &w[0], n_threads)
    return 1.0 - loss / float(np.sum(w)), st.rl_arr.copy()


# --------------------------------------------------------------------------------------
# The silhouette: cluster sums per object, and PAMSIL
# --------------------------------------------------------------------------------------

cdef double _cluster_sums(const floating* row, const intp_t* lab, intp_t n, intp_t k,
                          double* acc, double* out) noexcept nogil:
    """out[i] = sum of row[j] over objects j with lab[j] == i, in float64; returns the
    smallest entry of the row (for the caller's negative-value check). Four partial sums
    per cluster (j mod 4) keep consecutive additions independent (one scattered add per
    entry would otherwise wait for the previous one); ``acc`` is 4k scratch."""
    cdef intp_t i, j = 0
    cdef double d0, d1, d2, d3, lo0 = INFINITY, lo1 = INFINITY, lo2 = INFINITY
    cdef double lo3 = INFINITY
    for i in range(4 * k):
        acc[i] = 0.0
    while j + 4 <= n:
        d0 = row[j]
        d1 = row[j + 1]
        d2 = row[j + 2]
        d3 = row[j + 3]
        acc[lab[j]] += d0
        acc[k + lab[j + 1]] += d1
        acc[2 * k + lab[j + 2]] += d2
        acc[3 * k + lab[j + 3]] += d3
        lo0 = _min(lo0, d0)
        lo1 = _min(lo1, d1)
        lo2 = _min(lo2, d2)
        lo3 = _min(lo3, d3)
        j += 4
    while j < n:
        acc[lab[j]] += row[j]
        lo0 = _min(lo0, row[j])
        j += 1
    for i in range(k):
        out[i] = (acc[i] + acc[k + i]) + (acc[2 * k + i] + acc[3 * k + i])
    return _min(_min(lo0, lo1), _min(lo2, lo3))


cdef double _object_silhouette(const double* sums, const intp_t* size, intp_t own,
                               intp_t k) noexcept nogil:
    """Silhouette of an object of cluster ``own`` from its distance sums to every cluster
    (scikit-learn's definition: 0 alone in its cluster, 0 when a = b = 0)."""
    cdef intp_t i
    cdef double a, b = INFINITY, v, m
    if size[own] <= 1:
        return 0.0
    a = sums[own] / (size[own] - 1)
    for i in range(k):
        if i != own and size[i] > 0:
            v = sums[i] / size[i]
            if v < b:
                b = v
    if b == INFINITY:
        return 0.0
    m = a if a > b else b
    if not m > 0:
        return 0.0
    return (b - a) / m


def silhouette_samples(
    const floating[:, ::1] D,   # IN (n, n) dissimilarities (rows are read)
    const intp_t[::1] labels,   # IN (n,) cluster of every object, 0..k-1
    intp_t k,
    int n_threads=1,
):
    """Exact silhouette of every object in one pass over D (O(n^2), rows in parallel).

    Returns
    -------
    s : ndarray of shape (n,), float64
    bad : ndarray of shape (n,), int8
        1 where the row holds NaN or infinity, 2 where it holds a negative value, else 0
        (the caller turns these into errors).
    """
    cdef intp_t n = D.shape[0], o, j, tid
    cdef int nt = max(1, n_threads)
    if labels.shape[0] != n or D.shape[1] != n:
        raise ValueError(f"D has shape {tuple(D.shape)[:2]} and labels {labels.shape[0]} "
                         "entries; expected (n, n) and n")
    size_arr = np.bincount(np.asarray(labels), minlength=k).astype(np.intp)
    s_arr = np.empty(n, dtype=np.float64)
    bad_arr = np.zeros(n, dtype=np.int8)
    scratch_arr = np.empty((nt, 5 * k + 8), dtype=np.float64)
    cdef intp_t[::1] size = size_arr
    cdef double[::1] s = s_arr
    cdef signed char[::1] bad = bad_arr
    cdef double[:, ::1] scratch = scratch_arr
    cdef double total, lo
    cdef double* buf
    with nogil, parallel(num_threads=nt):
        tid = threadid()
        buf = &scratch[tid, 0]
        for o in prange(n, schedule='static', chunksize=64):
            lo = _cluster_sums(&D[o, 0], &labels[0], n, k, buf + k, buf)
            total = 0.0
            for j in range(k):
                total = total + buf[j]
            # NaN or inf anywhere in the row makes its sum non-finite
            if not isfinite(total):
                bad[o] = 1
            elif lo < 0:
                bad[o] = 2
            s[o] = _object_silhouette(buf, &size[0], labels[o], k)
    return s_arr, bad_arr


def medoid_silhouette_samples(
    const floating[:, ::1] Dm,  # IN (n, k) distances of every object to every medoid
):
    """Per-object medoid silhouette ``1 - a / b`` from the two smallest entries of each
    row (0 when a = b = 0), O(n k).

    Returns
    -------
    s : ndarray of shape (n,), float64
    """
    cdef intp_t n = Dm.shape[0], k = Dm.shape[1], o, i
    cdef double d, d1, d2
    s_arr = np.empty(n, dtype=np.float64)
    cdef double[::1] s = s_arr
    with nogil:
        for o in range(n):
            d1 = INFINITY
            d2 = INFINITY
            for i in range(k):
                d = Dm[o, i]
                if d < d1:
                    d2 = d1
                    d1 = d
                elif d < d2:
                    d2 = d
            s[o] = 1.0 - _ratio(d1, d2)
    return s_arr


cdef double _pamsil_trial(const floating[:, ::1] D, MedoidState st,
                          const double[:, ::1] S, const intp_t* size, intp_t i, intp_t c,
                          intp_t* newlab, intp_t* moved, intp_t* size2,
                          double* row) noexcept nogil:
    """Sum of the silhouettes of the nearest-medoid partition after slot i receives
    candidate c (i = -1: the current partition). Only the objects that change cluster
    are applied to the current cluster sums S, in index order, so equal partitions give
    bit-identical values. O(n (k + moved))."""
    cdef intp_t n = st.n, k = st.k, o, t, m = 0, lab, mo
    cdef double doc, d, total = 0.0
    for t in range(k):
        size2[t] = size[t]
    if i >= 0:
        for o in range(n):
            doc = D[c, o]
            if o == c:
                lab = i
            elif st.slot_of[o] >= 0 and st.slot_of[o] != i:
                lab = st.slot_of[o]
            elif st.near[o] == i:
                # o loses its medoid: the candidate or its second nearest
                if doc < st.ds[o] or (doc == st.ds[o] and i < st.sec[o]):
                    lab = i
                else:
                    lab = st.sec[o]
            elif doc < st.dn[o] or (doc == st.dn[o] and i < st.near[o]):
                lab = i
            else:
                lab = st.near[o]
            newlab[o] = lab
            if lab != st.near[o]:
                moved[m] = o
                m += 1
                size2[st.near[o]] -= 1
                size2[lab] += 1
    for o in range(n):
        for t in range(k):
            row[t] = S[o, t]
        for t in range(m):
            mo = moved[t]
            d = D[o, mo]
            row[st.near[mo]] -= d
            row[newlab[mo]] += d
        total += _object_silhouette(row, size2, newlab[o] if i >= 0 else st.near[o], k)
    return total


cdef void _pamsil_sums(const floating[:, ::1] D, MedoidState st, double[:, ::1] S,
                       intp_t* size, double* scratch, int n_threads) noexcept nogil:
    """Cluster sums S[o, i] of the current partition from scratch, and the sizes."""
    cdef intp_t o, t, tid, k = st.k
    for t in range(k):
        size[t] = 0
    for o in range(st.n):
        size[st.near[o]] += 1
    with parallel(num_threads=n_threads):
        tid = threadid()
        for o in prange(st.n, schedule='static'):
            _cluster_sums(&D[o, 0], &st.near[0], st.n, k, scratch + tid * 4 * k, &S[o, 0])


def pamsil(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal
    medoids,                    # IN (k,) distinct initial medoids, k >= 2
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """PAMSIL (Van der Laan et al. 2003): best swap for the silhouette of the nearest-medoid
    partition. Every (slot, candidate) trial is scored on all objects (O(n (k + moved))
    from the cluster sums of the current partition, which are recomputed from scratch after
    each swap); ties go to the lowest slot, then the lowest candidate, within
    ``tol = eps * n`` on the silhouette sum, and a swap is done only when it raises the
    sum by more than ``tol``. Unweighted.

    Returns
    -------
    medoids, labels, loss (sum of distances), silhouette, n_iter, n_swaps
    """
    cdef intp_t n = D.shape[0], k = len(medoids)
    cdef MedoidState st = MedoidState(n, medoids)
    cdef intp_t n_iter = 0, n_swaps = 0, c, i, tid, start, end, bi, bc
    cdef int nt = max(1, n_threads)
    cdef double tol = eps * n, cur, best
    ones = np.ones(n)
    S_arr = np.empty((n, k), dtype=np.float64)
    vals_arr = np.empty((k, n), dtype=np.float64)
    size_arr = np.empty(k, dtype=np.intp)
    ibuf_arr = np.empty((nt, 2 * n + k), dtype=np.intp)
    dbuf_arr = np.empty((nt, 4 * k), dtype=np.float64)
    cdef double[::1] w = ones
    cdef double[:, ::1] S = S_arr, vals = vals_arr, dbuf = dbuf_arr
    cdef intp_t[::1] size = size_arr
    cdef intp_t[:, ::1] ibuf = ibuf_arr
    with nogil:
        _setup(D, st, &w[0], nt)
        _pamsil_sums(D, st, S, &size[0], &dbuf[0, 0], nt)
        cur = _pamsil_trial(D, st, S, &size[0], -1, 0, &ibuf[0, 0], &ibuf[0, n],
                            &ibuf[0, 2 * n], &dbuf[0, 0])
        while n_iter < max_iter:
            n_iter += 1
            for i in range(k):
                start = 0
                while start < n:
                    end = min(n, start + 16 * nt)
                    with parallel(num_threads=nt):
                        tid = threadid()
                        for c in prange(start, end, schedule='static', chunksize=1):
                            if st.slot_of[c] >= 0:
                                vals[i, c] = -INFINITY
                            else:
                                vals[i, c] = _pamsil_trial(
                                    D, st, S, &size[0], i, c, &ibuf[tid, 0], &ibuf[tid, n],
                                    &ibuf[tid, 2 * n], &dbuf[tid, 0])
                    start = end
                    _check_signals()
            bi = -1
            bc = -1
            best = -INFINITY
            for i in range(k):
                for c in range(n):
                    if st.slot_of[c] >= 0:
                        continue
                    if bi < 0 or vals[i, c] > best + tol:
                        best = vals[i, c]
                        bi = i
                        bc = c
            if bi < 0 or not best > cur + tol:
                break
            _do_swap(st, &D[bc, 0], bi, bc)
            _pamsil_sums(D, st, S, &size[0], &dbuf[0, 0], nt)
            cur = _pamsil_trial(D, st, S, &size[0], -1, 0, &ibuf[0, 0], &ibuf[0, n],
                                &ibuf[0, 2 * n], &dbuf[0, 0])
            n_swaps += 1
    med, lab, _, it, sw = st.results(0.0, n_iter, n_swaps)
    return med, lab, _total_distance(st, &w[0]), cur / n, it, sw
