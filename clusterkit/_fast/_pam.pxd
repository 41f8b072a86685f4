# Shared k-medoids building blocks, cimported by _clarans.pyx.
from cython cimport floating

ctypedef Py_ssize_t intp_t


cdef class _State:
    cdef public object med_arr, slot_arr, near_arr, sec_arr, dn_arr, ds_arr, rl_arr, M_arr
    cdef intp_t[::1] med, slot_of, near, sec
    cdef double[::1] dn, ds, rl
    cdef double[:, ::1] M
    cdef intp_t n, k


cdef int _check_signals() except -1 nogil
cdef double _refresh(_State st, const double* w, int n_threads) noexcept nogil
cdef double _candidate(const floating* row, intp_t n, intp_t k, const double* rl,
                       const intp_t* near, const double* dn, const double* ds,
                       const double* w, double* delta, intp_t* best_slot) noexcept nogil
cdef double _swap_change(const floating* row, intp_t n, intp_t slot, const intp_t* near,
                         const double* dn, const double* ds, const double* w) noexcept nogil
cdef double _apply_swap(_State st, const floating* row, const double* w, intp_t b,
                        intp_t j) noexcept nogil
