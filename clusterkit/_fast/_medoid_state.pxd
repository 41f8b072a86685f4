# The k-medoids working state and the operations every swap algorithm shares (assignment
# caches, candidate evaluation, swap execution, the eager scan's control). Implemented in
# _medoid_state.pyx; cimported by _medoid_swap.pyx, _fasterpam.pyx, _clarans.pyx and
# _msc.pyx.
from cython cimport floating
from libc.float cimport FLT_MAX
from libc.math cimport INFINITY, nextafterf
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec

from clusterkit._fast._typedefs cimport intp_t


# Candidates evaluated per parallel region in the FastPAM1 / FastPAM2 / PAM scans; also the
# granularity at which Ctrl-C is checked.
cdef enum:
    SCAN_BLOCK = 256


cdef class MedoidState:
    # NumPy owners of the buffers (returned to Python as copies)
    cdef public object med_arr, slot_arr, near_arr, sec_arr, dn_arr, ds_arr, rl_arr, M_arr
    cdef public object ds32_arr
    # med[i]: object in slot i; slot_of[o]: slot of object o, or -1 for a non-medoid
    cdef intp_t[::1] med, slot_of
    # near[o] / sec[o]: slot of the nearest / second nearest medoid of object o
    cdef intp_t[::1] near, sec
    # dn[o] / ds[o]: distances to them (ds = inf when k == 1); rl[i]: removal loss of slot i
    cdef double[::1] dn, ds, rl
    # ds32[o]: the least float32 >= ds[o] (``_f32_up``), kept so by every cache update. With
    # a float32 D every distance is a float32 value and ds32 equals ds; with a float64 D it
    # is an upper bound. The candidate scan lists the objects with d(o, c) < ds32[o] (a
    # superset of those that contribute, which adds zeros): 4 bytes per object, so that the
    # bounds stay in the L1 cache
    cdef float[::1] ds32
    # M[o, i]: distance of object o to the medoid in slot i (one contiguous row per object)
    cdef double[:, ::1] M
    cdef intp_t n, k


cdef inline double _now() noexcept nogil:
    """Monotonic clock in seconds."""
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec + 1e-9 * ts.tv_nsec


cdef inline intp_t _stride(intp_t k) noexcept nogil:
    """Length of one thread's scratch row: k rounded up to whole 64-byte cache lines plus
    one line, so that threads never write to the same cache line (false sharing)."""
    return (k + 7) // 8 * 8 + 8


cdef inline intp_t _delta_stride(intp_t k) noexcept nogil:
    """Length of one thread's scratch for a candidate evaluation (``_candidate``,
    ``_candidate_deltas``): four partial sums per slot, padded as ``_stride``."""
    return _stride(4 * k)


cdef int _check_signals() except -1 nogil

cdef void _fill_medoid_distances(const floating[:, ::1] D, MedoidState st,
                                 int n_threads) noexcept nogil
cdef double _setup(const floating[:, ::1] D, MedoidState st, const double* w,
                   int n_threads) noexcept nogil
cdef double _refresh(MedoidState st, const double* w, int n_threads) noexcept nogil
cdef double _losses(MedoidState st, const double* w) noexcept nogil

cdef inline float _f32_up(double x) noexcept nogil:
    """The least float32 >= x (x itself when it is a float32 value; NaN stays NaN)."""
    cdef float f
    # out of float32's range, (float)x would be undefined behaviour in C
    if x > FLT_MAX:
        return INFINITY
    if x < -FLT_MAX:
        return -INFINITY if x == -INFINITY else -FLT_MAX
    f = <float>x
    if <double>f < x:
        f = nextafterf(f, INFINITY)
    return f

cdef double _candidate_deltas(const floating* row, intp_t n, intp_t k, const double* rl,
                              const intp_t* near, const double* dn, const double* ds,
                              const float* dsu, const double* w,
                              double* delta) noexcept nogil
cdef double _candidate(const floating* row, intp_t n, intp_t k, const double* rl,
                       const intp_t* near, const double* dn, const double* ds,
                       const float* dsu, const double* w, double* delta,
                       intp_t* best_slot) noexcept nogil
cdef double _swap_change(const floating* row, intp_t n, intp_t slot, const intp_t* near,
                         const double* dn, const double* ds, const double* w) noexcept nogil
cdef int _scan_candidates(const floating[:, ::1] D, MedoidState st, const double* w,
                          const intp_t* cand, intp_t m, double* change, intp_t* slot,
                          double* bufs, int n_threads) except -1 nogil

cdef void _swap_medoid(MedoidState st, intp_t b, intp_t j) noexcept nogil
cdef void _swap_update(MedoidState st, const floating* row, intp_t b, intp_t j,
                       intp_t start, intp_t end) noexcept nogil
cdef void _do_swap(MedoidState st, const floating* row, intp_t b, intp_t j) noexcept nogil
cdef double _apply_swap(MedoidState st, const floating* row, const double* w, intp_t b,
                        intp_t j) noexcept nogil


# --------------------------------------------------------------------------------------
# The eager scan (FasterPAM, FasterMSC): where a scan over ``order`` stands and when it
# stops, whatever the objective.
# --------------------------------------------------------------------------------------

cdef struct Scan:
    # Where the scan over ``order`` stands; shared by a thread team, written by one thread.
    intp_t pos           # position in ``order`` of the current batch's first candidate
    intp_t limit         # candidates in the current batch
    intp_t batch         # size asked for the next batch (grows while nothing improves)
    bint reaches_last    # the batch was cut before the last swapped object
    intp_t last          # object brought in by the last swap (-1: none yet)
    intp_t found         # position in the batch of the swap to execute (-1: none)
    # the run
    intp_t n_iter        # passes started
    intp_t n_swaps
    intp_t swaps_before  # n_swaps when the current pass started
    double loss
    double loss_before   # loss when the current pass started
    bint stop            # the run is over
    # segments: the scan leaves its nogil / parallel region now and then (Ctrl-C, timing)
    bint leave           # end the current segment
    intp_t seen          # candidates evaluated in the current segment
    intp_t segment_len   # candidates after which a segment ends
    double deadline      # clock time at which a segment ends (0: none)


cdef void _start_scan(Scan* sc, double loss, intp_t segment_len, const intp_t* order,
                      intp_t n, intp_t max_iter) noexcept nogil
cdef void _next_batch(Scan* sc, const intp_t* order, intp_t n,
                      intp_t max_iter) noexcept nogil
cdef intp_t _first_improving(const Scan* sc, const double* change,
                             double bound) noexcept nogil
cdef void _advance(Scan* sc, const intp_t* order, intp_t n, intp_t found, double loss,
                   intp_t min_batch, intp_t max_batch, intp_t max_iter) noexcept nogil
