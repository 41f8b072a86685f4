"""The k-medoids algorithms as functions of a dissimilarity matrix, for notebook use.

Each function is written out with its own keywords (an unknown keyword is a TypeError)
and goes through the same engine as :class:`~clusterkit.KMedoids`.
"""
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from .._fast._openmp_helpers import effective_n_threads
from .._utils._validation import (
    as_float_matrix,
    check_dissimilarity,
    check_medoid_array,
    check_n_clusters,
    check_weights,
)
from ._engine import KMedoidsResult, assign, initial_medoids, swap_phase

__all__ = ["fasterpam", "fastpam1", "fastpam2", "pam", "alternating", "build", "lab"]


def _prepare(D, medoids, sample_weight, check_input, init, random_state, n_threads):
    """Validated (D, k, start, w, rng, n_threads); ``start`` is ``init`` or an index array."""
    D = check_dissimilarity(D) if check_input else as_float_matrix(D)
    n = D.shape[0]
    w = check_weights(sample_weight, n)
    if isinstance(medoids, (Integral, np.integer)) and not isinstance(medoids, bool):
        k = check_n_clusters(int(medoids), n)
        start = init
    else:
        start = check_medoid_array(medoids, n)
        k = len(start)
    return D, k, start, w, check_random_state(random_state), effective_n_threads(n_threads)


def _run(method, D, medoids, sample_weight, max_iter, init, random_state, n_threads,
         check_input, **options):
    D, k, start, w, rng, nt = _prepare(D, medoids, sample_weight, check_input, init,
                                       random_state, n_threads)
    start = initial_medoids(D, k, start, w, rng, nt)
    if options.pop("shuffle", False):
        options["order"] = rng.permutation(D.shape[0]).astype(np.intp)
    return swap_phase(D, start, w, method, max_iter, nt, **options)


_PARAMETERS = """    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal; float32 is kept as float32.
    medoids : int or array-like of shape (k,)
        Number of clusters (then ``init`` picks the start) or initial medoid indices.
    sample_weight : array-like of shape (n,), default=None
        Non-negative weights; the loss is ``sum_o w[o] * d(o, nearest medoid)``.
    max_iter : int, default=300
        Maximum number of iterations (passes for FasterPAM).
    init : {"random", "build", "lab", "k-medoids++"}, default="%s"
        Start used when ``medoids`` is an int."""

_COMMON = """    random_state : int, RandomState instance or None, default=None
        Seeds a random initialisation.
    n_threads : int or None, default=None
        Threads (None: OpenMP's default). The result does not depend on it.
    check_input : bool, default=True
        Validate D (finite, non-negative, square, symmetric, zero diagonal) first. Only
        switch off for matrices already validated.

    Returns
    -------
    KMedoidsResult
        ``medoids``, ``labels``, ``loss``, ``n_iter``, ``n_swaps``."""


def _example(name, call):
    return f"""
    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import {name}
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> res = {call}
    >>> sorted(res.medoids.tolist()), res.loss
    ([1, 4], 4.0)
    """


def fasterpam(D, medoids, *, sample_weight=None, max_iter=300, init="random", shuffle=False,
              random_state=None, n_threads=None, check_input=True):
    return _run("fasterpam", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input, shuffle=shuffle)


fasterpam.__doc__ = f"""FasterPAM k-medoids on a dissimilarity matrix.

    Eager swapping with the O(k) FastPAM1 inner loop (Schubert and Rousseeuw 2021): every
    improving swap is executed as soon as it is found; a pass costs about one read of D.

{_PARAMETERS % "random"}
    shuffle : bool, default=False
        Visit the candidates in one random order drawn from ``random_state`` instead of
        index order.
{_COMMON}
{_example("fasterpam", "fasterpam(np.abs(X - X.T), np.array([0, 1]))")}"""


def fastpam1(D, medoids, *, sample_weight=None, max_iter=300, init="build",
             random_state=None, n_threads=None, check_input=True):
    return _run("fastpam1", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input)


fastpam1.__doc__ = f"""FastPAM1: exactly PAM's swaps, found in O(n^2) per iteration
    instead of O(k n^2).

{_PARAMETERS % "build"}
{_COMMON}
{_example("fastpam1", "fastpam1(np.abs(X - X.T), 2)")}"""


def fastpam2(D, medoids, *, sample_weight=None, max_iter=300, init="build", fasttol=1.0,
             random_state=None, n_threads=None, check_input=True):
    return _run("fastpam2", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input, fasttol=fasttol)


fastpam2.__doc__ = f"""FastPAM2: up to k swaps per O(n^2) iteration.

{_PARAMETERS % "build"}
    fasttol : float, default=1.0
        After the best swap of an iteration, the other slots' recorded swaps are redone
        when they still improve the loss by at least ``(1 - fasttol)`` times the recorded
        change: 1 accepts any improvement, 0 only undiminished gains.
{_COMMON}
{_example("fastpam2", "fastpam2(np.abs(X - X.T), 2)")}"""


def pam(D, medoids, *, sample_weight=None, max_iter=300, init="build", random_state=None,
        n_threads=None, check_input=True):
    return _run("pam", D, medoids, sample_weight, max_iter, init, random_state, n_threads,
                check_input)


pam.__doc__ = f"""PAM: BUILD, then the original SWAP (best of all k(n-k) swaps per
    iteration, O(k n^2) each).

{_PARAMETERS % "build"}
{_COMMON}
{_example("pam", "pam(np.abs(X - X.T), 2)")}"""


def alternating(D, medoids, *, sample_weight=None, max_iter=300, init="random",
                random_state=None, n_threads=None, check_input=True):
    return _run("alternate", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input)


alternating.__doc__ = f"""Alternating (Voronoi iteration, k-means style): assign, then move
    each medoid to its cluster's most central member, until nothing changes. Fast but
    worse optima.

{_PARAMETERS % "random"}
{_COMMON}
{_example("alternating", "alternating(np.abs(X - X.T), np.array([0, 3]))")}"""


def build(D, n_clusters, *, sample_weight=None, n_threads=None, check_input=True):
    """PAM's BUILD initialisation alone (greedy, O(n^2 k)).

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal.
    n_clusters : int
    sample_weight : array-like of shape (n,), default=None
    n_threads : int or None, default=None
    check_input : bool, default=True

    Returns
    -------
    KMedoidsResult
        With ``n_iter = n_swaps = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import build
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> build(np.abs(X - X.T), 2).medoids.tolist()
    [2, 4]
    """
    D, k, _, w, rng, nt = _prepare(D, n_clusters, sample_weight, check_input, "build", None,
                                   n_threads)
    med = initial_medoids(D, k, "build", w, rng, nt)
    return KMedoidsResult(med, *assign(D, med, w, nt))


def lab(D, n_clusters, *, sample_weight=None, random_state=None, check_input=True):
    """LAB: linear approximative BUILD on random samples (about O(n k)).

    Parameters
    ----------
    D : array-like of shape (n, n)
    n_clusters : int
    sample_weight : array-like of shape (n,), default=None
    random_state : int, RandomState instance or None, default=None
    check_input : bool, default=True

    Returns
    -------
    KMedoidsResult
        With ``n_iter = n_swaps = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import lab
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> len(lab(np.abs(X - X.T), 2, random_state=0).medoids)
    2
    """
    D, k, _, w, rng, nt = _prepare(D, n_clusters, sample_weight, check_input, "lab",
                                   random_state, 1)
    med = initial_medoids(D, k, "lab", w, rng, nt)
    return KMedoidsResult(med, *assign(D, med, w, nt))
