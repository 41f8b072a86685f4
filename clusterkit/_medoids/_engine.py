"""The one door to the k-medoids kernels: initialisation and swap phase on a validated
dissimilarity matrix, and the matrix itself when it is computed from features.

Every k-medoids estimator and function (KMedoids, CLARA's samples, the functional API,
the Dask tasks) goes through :func:`initial_medoids` and :func:`swap_phase`, so a method
name means the same kernel call everywhere.
"""
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import pairwise_distances

from .._fast import _fasterpam, _medoid_init, _medoid_swap
from .._utils._memory import check_square_matrix_fits
from .._utils._validation import check_dissimilarity

__all__ = ["METHODS", "INITS", "KMedoidsResult", "initial_medoids", "swap_phase",
           "pairwise_dissimilarity"]

METHODS = ("fasterpam", "fastpam1", "fastpam2", "pam", "alternate")
INITS = ("random", "build", "lab", "k-medoids++")


@dataclass(frozen=True)
class KMedoidsResult:
    """Result of a functional k-medoids run.

    Attributes
    ----------
    medoids : ndarray of shape (k,)
        Row indices of the medoids, in slot order.
    labels : ndarray of shape (n,)
        Slot (0..k-1) of every object's nearest medoid.
    loss : float
        Sum of (weighted) distances of the objects to their nearest medoid.
    n_iter : int
        Number of passes / iterations of the swap phase.
    n_swaps : int
        Number of medoid replacements performed.
    """

    medoids: np.ndarray
    labels: np.ndarray = field(repr=False)
    loss: float
    n_iter: int = 0
    n_swaps: int = 0


def initial_medoids(D, k, init, w, rng, n_threads):
    """Initial medoids for a validated D.

    Parameters
    ----------
    D : ndarray of shape (n, n)
    k : int
    init : {"random", "build", "lab", "k-medoids++"} or ndarray of shape (k,)
        A validated index array is returned as it is.
    w : ndarray of shape (n,), float64
    rng : numpy.random.RandomState
    n_threads : int

    Returns
    -------
    medoids : ndarray of shape (k,), intp
    """
    n = D.shape[0]
    if not isinstance(init, str):
        return init
    if init == "random":
        return np.sort(rng.choice(n, size=k, replace=False)).astype(np.intp)
    if init == "build":
        return _medoid_init.build(D, k, w, n_threads)
    if init == "lab":
        s = min(n, 10 + int(np.ceil(np.sqrt(n))))
        return _medoid_init.lab(D, k, w, rng.random((k, s)))
    if init == "k-medoids++":
        n_trials = 2 + int(np.log(k))
        return _medoid_init.kmedoids_plusplus(D, k, w, rng.random((k, n_trials + 1)),
                                              n_threads)
    raise ValueError(f"Unknown init {init!r}; expected one of {INITS} or an index array.")


def swap_phase(D, medoids, w, method, max_iter, n_threads, *, order=None, fasttol=1.0):
    """Run ``method`` from ``medoids`` on a validated D.

    Parameters
    ----------
    D : ndarray of shape (n, n)
    medoids : ndarray of shape (k,)
    w : ndarray of shape (n,), float64
    method : {"fasterpam", "fastpam1", "fastpam2", "pam", "alternate"}
    max_iter : int
    n_threads : int
    order : ndarray of shape (n,) or None
        FasterPAM's visiting order (index order when None).
    fasttol : float
        FastPAM2's tolerance.

    Returns
    -------
    KMedoidsResult
    """
    k = len(medoids)
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; expected one of {METHODS}.")
    if k == 1:
        # exact optimum: the object with the smallest weighted row sum (no second nearest
        # exists, so the swap kernels' removal losses would be inf - inf)
        sums = _medoid_init.row_sums(D, w, n_threads)
        best = int(np.argmin(sums))
        swapped = int(best != medoids[0])
        return KMedoidsResult(np.array([best], dtype=np.intp), np.zeros(len(D), np.intp),
                              float(sums[best]), 1, swapped)
    medoids = np.ascontiguousarray(medoids, dtype=np.intp)
    if method == "fasterpam":
        if order is None:
            order = np.arange(D.shape[0], dtype=np.intp)
        out = _fasterpam.fasterpam(D, medoids, w, order, max_iter, n_threads=n_threads)
    elif method == "fastpam1":
        out = _medoid_swap.fastpam1(D, medoids, w, max_iter, n_threads=n_threads)
    elif method == "fastpam2":
        out = _medoid_swap.fastpam2(D, medoids, w, max_iter, fasttol, n_threads=n_threads)
    elif method == "pam":
        out = _medoid_swap.pam_swap(D, medoids, w, max_iter, n_threads=n_threads)
    else:
        out = _medoid_swap.alternating(D, medoids, w, max_iter, n_threads=n_threads)
    med, lab, loss, n_iter, n_swaps = out
    return KMedoidsResult(med, lab, float(loss), int(n_iter), int(n_swaps))


def assign(D, medoids, w, n_threads):
    """Nearest medoid of every object of a validated D: (labels, loss)."""
    labels, _, loss = _medoid_swap.assign(D, np.ascontiguousarray(medoids, dtype=np.intp),
                                          w, n_threads)
    return labels, float(loss)


def pairwise_dissimilarity(X, metric="euclidean", metric_params=None):
    """The validated n x n dissimilarity matrix of the rows of ``X``, memory-checked first.

    The matrix keeps X's float dtype (float32 halves its memory). scikit-learn computes
    float32 only for the euclidean metric; other metrics build a float64 matrix first,
    so that is the size checked for them.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    metric : str or callable, default="euclidean"
    metric_params : dict or None

    Returns
    -------
    D : ndarray of shape (n_samples, n_samples), C-contiguous, zero diagonal
    """
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    built = dtype if metric == "euclidean" and not metric_params else np.float64
    check_square_matrix_fits(X.shape[0], built)
    D = pairwise_distances(X, metric=metric, **(metric_params or {}))
    D = np.ascontiguousarray(D, dtype=dtype)
    np.fill_diagonal(D, 0)
    return check_dissimilarity(D, f"The {metric!r} dissimilarity matrix")
