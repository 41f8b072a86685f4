# The k-medoids working state and the operations every swap algorithm shares (assignment
# caches, candidate evaluation, swap execution). Implemented in _medoid_state.pyx;
# cimported by _medoid_swap.pyx, _fasterpam.pyx and _clarans.pyx.
from cython cimport floating
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec

from clusterkit._fast._typedefs cimport intp_t


# Candidates evaluated per parallel region in the FastPAM1 / FastPAM2 / PAM scans; also the
# granularity at which Ctrl-C is checked.
cdef enum:
    SCAN_BLOCK = 256


cdef class MedoidState:
    # NumPy owners of the buffers (returned to Python as copies)
    cdef public object med_arr, slot_arr, near_arr, sec_arr, dn_arr, ds_arr, rl_arr, M_arr
    # med[i]: object in slot i; slot_of[o]: slot of object o, or -1 for a non-medoid
    cdef intp_t[::1] med, slot_of
    # near[o] / sec[o]: slot of the nearest / second nearest medoid of object o
    cdef intp_t[::1] near, sec
    # dn[o] / ds[o]: distances to them (ds = inf when k == 1); rl[i]: removal loss of slot i
    cdef double[::1] dn, ds, rl
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


cdef int _check_signals() except -1 nogil

cdef double _setup(const floating[:, ::1] D, MedoidState st, const double* w,
                   int n_threads) noexcept nogil
cdef double _refresh(MedoidState st, const double* w, int n_threads) noexcept nogil
cdef double _total(intp_t n, const double* dn, const double* w) noexcept nogil
cdef void _removal_loss(intp_t n, intp_t k, const intp_t* near, const double* dn,
                        const double* ds, const double* w, double* rl) noexcept nogil

cdef double _candidate_deltas(const floating* row, intp_t n, intp_t k, const double* rl,
                              const intp_t* near, const double* dn, const double* ds,
                              const double* w, double* delta) noexcept nogil
cdef double _candidate(const floating* row, intp_t n, intp_t k, const double* rl,
                       const intp_t* near, const double* dn, const double* ds,
                       const double* w, double* delta, intp_t* best_slot) noexcept nogil
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
