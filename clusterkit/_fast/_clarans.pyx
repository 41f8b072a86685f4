"""CLARANS and FastCLARANS steps on the shared k-medoids state.

The driver (clusterkit._medoids._clarans) draws the random candidates and computes each
candidate's distances to all objects on demand (a row of a precomputed matrix, or computed
from the features), so no n x n matrix is needed. Every evaluation and swap reuses the
operations of _medoid_state: one implementation of each.
"""
import numpy as np

from cython cimport floating

from clusterkit._fast._medoid_state cimport (
    MedoidState,
    _apply_swap,
    _candidate,
    _delta_stride,
    _refresh,
    _swap_change,
)
from clusterkit._fast._typedefs cimport intp_t


def new_state(medoids, medoid_distances, const double[::1] w):
    """State for CLARANS from the n x k distances to the initial medoids.

    Returns
    -------
    state : MedoidState
    loss : float
    """
    cdef double[:, ::1] M = np.ascontiguousarray(medoid_distances, dtype=np.float64)
    cdef MedoidState st = MedoidState(M.shape[0], medoids)
    cdef double td
    st.M_arr[...] = M
    with nogil:
        td = _refresh(st, &w[0], 1)
    return st, td


def best_slot_change(MedoidState st, const floating[::1] row, const double[::1] w):
    """FastCLARANS step: change of the loss and slot for the best swap bringing in the
    candidate whose distances are ``row`` (all k slots at once, FastPAM1 inner loop; the
    slot minimises ``delta[i] + acc``, lowest slot on ties).

    Returns
    -------
    change : float
    slot : int
    """
    cdef intp_t slot = 0
    cdef double ch
    delta_arr = np.empty(_delta_stride(st.k), dtype=np.float64)
    cdef double[::1] delta = delta_arr
    with nogil:
        ch = _candidate(&row[0], st.n, st.k, &st.rl[0], &st.near[0], &st.dn[0], &st.ds[0],
                        &st.ds32[0], &w[0], &delta[0], &slot)
    return ch, slot


def pair_change(MedoidState st, const floating[::1] row, intp_t slot, const double[::1] w):
    """Classic CLARANS step: exact change of the loss when the medoid in ``slot`` is replaced
    by the candidate whose distances are ``row``."""
    cdef double ch
    with nogil:
        ch = _swap_change(&row[0], st.n, slot, &st.near[0], &st.dn[0], &st.ds[0], &w[0])
    return ch


def swap(MedoidState st, const floating[::1] row, intp_t slot, intp_t j, const double[::1] w):
    """Replace the medoid in ``slot`` by object ``j`` (distances ``row``); return the new
    loss."""
    cdef double td
    with nogil:
        td = _apply_swap(st, &row[0], &w[0], slot, j)
    return td


def medoids_of(MedoidState st):
    """Current medoids (copy)."""
    return st.med_arr.copy()


def labels_of(MedoidState st):
    """Current slot of every object (copy) and its distance (copy)."""
    return st.near_arr.copy(), st.dn_arr.copy()


def is_medoid(MedoidState st, intp_t o):
    return st.slot_of[o] >= 0
