"""FasterPAM: eager k-medoids swaps with the FastPAM1 inner loop, and its thread team."""
import numpy as np

from cython cimport floating
from cython.parallel cimport parallel, threadid
from libc.math cimport INFINITY

from clusterkit._fast._medoid_state cimport (
    MedoidState,
    Scan,
    _advance,
    _candidate,
    _check_signals,
    _do_swap,
    _first_improving,
    _losses,
    _now,
    _scan_candidates,
    _setup,
    _start_scan,
    _delta_stride,
    _swap_medoid,
    _swap_update,
)
from clusterkit._fast._openmp_helpers cimport ck_barrier, ck_team_size
from clusterkit._fast._typedefs cimport intp_t


cdef void _after_batch(MedoidState st, const double* w, const intp_t* order,
                       intp_t n_cand, Scan* sc, intp_t found, intp_t min_batch,
                       intp_t max_batch, intp_t max_iter) noexcept nogil:
    """After a batch (the swap, if any, already done): removal losses and the loss TD from
    the caches, then the shared scan bookkeeping over the ``n_cand`` candidates."""
    cdef double loss = sc.loss
    if found >= 0:
        loss = _losses(st, w)
    _advance(sc, order, n_cand, found, loss, min_batch, max_batch, max_iter)


def fasterpam(
    const floating[:, ::1] D,   # IN (n, n) symmetric dissimilarities, zero diagonal, or a
                                #    block (n_cand, n), n_cand >= n (see below)
    medoids,                    # IN (k,) distinct initial medoid indices (rows of D)
    const double[::1] w,        # IN (n,) non-negative weights of the objects served
    const intp_t[::1] order,    # IN (n_cand,) the order in which candidates are visited
    intp_t max_iter=300,
    double eps=1e-12,
    int n_threads=1,
):
    """FasterPAM: eager swapping with the O(k) FastPAM1 inner loop.

    Candidates are visited in ``order`` (a permutation of 0..n-1); the first improving swap
    found for a candidate is executed at once. A pass ends when the scan reaches the last
    swapped object again (every object was checked since) or at the end of the order; the
    run stops after a pass without a swap, a pass that did not lower the loss, or
    ``max_iter`` passes.

    One batch
    ---------
    ``D`` may also be a block of shape (n_cand, n): row ``c`` holds the distances of
    candidate ``c`` to the ``n`` objects whose weighted loss is minimised, and rows
    ``0..n-1`` are those objects (a square D is the case n_cand == n). Candidates are all
    rows; labels and loss refer to the ``n`` objects. This is the one-batch method: every
    object of a large set is a candidate, judged on a batch of n objects.

    Thread team
    -----------
    With one thread, candidates are evaluated one at a time (nothing is evaluated in vain).
    With several, the run alternates *segments* on one thread and on a team. A team
    segment is one parallel region that lives until the segment ends; in it, repeatedly:

    1. every thread evaluates its share of the current batch (candidates ``pos ..
       pos + limit - 1`` of ``order``, thread ``t`` taking every ``team_size``-th from
       ``t``; the runtime may grant fewer threads than asked) against the current medoids,
       into per-candidate slots of ``change`` / ``slot``; barrier;
    2. thread 0 picks the first improving candidate in ``order`` (``Scan.found``) and
       moves it into its slot; barrier;
    3. if there is one, every thread updates the caches of its share of the objects (they
       are independent); barrier;
    4. thread 0 recomputes the removal losses and the loss (sequentially, so no sum depends
       on the thread count), discards the rest of the batch and sets the next batch
       (``_after_batch``); barrier.

    The swaps are therefore exactly those of the sequential algorithm. A segment ends after
    ``segment_len`` candidates or at its deadline (``Scan.leave``); between segments the
    GIL is taken for Ctrl-C and the team's rate (candidates per second) is compared with the
    single-thread rate measured on the first, single-thread segment: the team keeps working
    while it is faster than that rate, otherwise one thread works for a while
    (exponential back-off) before the team is tried again. On a busy machine every barrier
    can wait for a time slice, and this keeps two threads from being much slower than one.

    Returns
    -------
    medoids, labels, loss, n_iter, n_swaps
    """
    cdef intp_t n_cand = D.shape[0], n = D.shape[1], k = len(medoids)
    if n_cand < n:
        raise ValueError(f"D has {n_cand} rows (candidates) for {n} columns (objects); "
                         "the objects must be the first rows")
    if order.shape[0] != n_cand:
        raise ValueError(f"order has {order.shape[0]} entries, expected a permutation of "
                         f"{n_cand}")
    cdef MedoidState st = MedoidState(n, medoids, n_cand)
    cdef int nt = max(1, n_threads)
    cdef intp_t min_batch = nt, max_batch = 32 * nt, tid, t, c, p0, lim, f, team_size
    cdef Scan scan
    change_arr = np.empty(max_batch, dtype=np.float64)
    slot_arr = np.empty(max_batch, dtype=np.intp)
    bufs_arr = np.empty(nt * _delta_stride(k), dtype=np.float64)
    cdef double[::1] change = change_arr, bufs = bufs_arr
    cdef intp_t[::1] slot = slot_arr
    cdef double* pchange = &change[0]
    cdef intp_t* pslot = &slot[0]
    cdef double* pbufs = &bufs[0]
    # the team writes through this pointer: variables assigned in a parallel region would
    # be thread-private
    cdef Scan* sc = &scan
    cdef bint team = False
    cdef intp_t segment = 0, single_left = 0, backoff = 8
    cdef double t_start, rate, rate_single = 0.0
    with nogil:
        # with several threads, a short first segment on one thread gives the reference
        # rate that the team has to beat
        _start_scan(sc, _setup(D, st, &w[0], nt), 256 if nt > 1 else 4096, &order[0],
                    n_cand, max_iter)
        while not scan.stop:
            t_start = _now()
            if not team:
                while not scan.stop and not scan.leave:
                    _scan_candidates(D, st, &w[0], &order[scan.pos], scan.limit,
                                     pchange, pslot, pbufs, 1)
                    f = _first_improving(sc, pchange, -eps * scan.loss)
                    if f >= 0:
                        c = order[scan.pos + f]
                        _do_swap(st, &D[c, 0], pslot[f], c)
                    _after_batch(st, &w[0], &order[0], n_cand, sc, f, 1, 1, max_iter)
            else:
                with parallel(num_threads=nt):
                    tid = threadid()
                    team_size = ck_team_size()
                    while not sc.stop and not sc.leave:
                        p0 = sc.pos
                        lim = sc.limit
                        t = tid
                        while t < lim:
                            c = order[p0 + t]
                            if st.slot_of[c] >= 0:
                                pchange[t] = INFINITY
                                pslot[t] = 0
                            else:
                                pchange[t] = _candidate(&D[c, 0], n, k, &st.rl[0],
                                                        &st.near[0], &st.dn[0], &st.ds[0],
                                                        &st.ds32[0], &w[0],
                                                        pbufs + tid * _delta_stride(k),
                                                        pslot + t)
                            t = t + team_size
                        ck_barrier()
                        if tid == 0:
                            sc.found = _first_improving(sc, pchange, -eps * sc.loss)
                            if sc.found >= 0:
                                _swap_medoid(st, pslot[sc.found], order[p0 + sc.found])
                        ck_barrier()
                        if sc.found >= 0:
                            c = order[p0 + sc.found]
                            _swap_update(st, &D[c, 0], pslot[sc.found], c,
                                         tid * n // team_size, (tid + 1) * n // team_size)
                            ck_barrier()
                        if tid == 0:
                            _after_batch(st, &w[0], &order[0], n_cand, sc, sc.found,
                                         min_batch, max_batch, max_iter)
                        ck_barrier()
            if nt > 1:
                # the mode never changes the swaps, only who evaluates the candidates
                rate = scan.seen / max(_now() - t_start, 1e-9)
                segment += 1
                if not team:
                    rate_single = rate if segment == 1 else 0.5 * (rate_single + rate)
                    single_left -= 1
                    team = single_left <= 0
                elif rate < rate_single:
                    team = False
                    single_left = backoff
                    backoff = min(2 * backoff, 1024)
                else:
                    backoff = 8
                scan.batch = min_batch if team else 1
                scan.segment_len = 4096
                # a team segment may last as long as one thread would need for it
                scan.deadline = _now() + 4096 / rate_single if team else 0.0
            scan.leave = False
            scan.seen = 0
            _check_signals()
    return st.results(scan.loss, scan.n_iter, scan.n_swaps)
