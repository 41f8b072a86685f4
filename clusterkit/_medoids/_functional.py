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
    check_cluster_range,
    check_dissimilarity,
    check_medoid_array,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)
from ._engine import KMedoidsResult, assign, initial_medoids, search_n_clusters, swap_phase

__all__ = ["fasterpam", "fastpam1", "fastpam2", "pam", "alternating", "build", "lab",
           "fastermsc", "fastmsc", "pammedsil", "pamsil", "dynmsc"]


def _prepare(D, medoids, sample_weight, check_input, init, random_state, n_threads):
    """Validated (D, k, start, w, rng, n_threads); ``start`` is ``init`` or an index array."""
    D = check_dissimilarity(D, n_threads=n_threads) if check_input else as_float_matrix(D)
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
    res = swap_phase(D, start, w, method, max_iter, nt, **options)
    warn_if_coincident_medoids(D, res.medoids)  # as KMedoids does
    return res


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


# --------------------------------------------------------------------------------------
# Silhouette clustering
# --------------------------------------------------------------------------------------

_MSC_PARAMETERS = """    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal; float32 is kept as float32.
    medoids : int or array-like of shape (k,)
        Number of clusters (then ``init`` picks the start) or initial medoid indices. A
        silhouette needs k >= 2: for k = 1 the medoid with the smallest distance sum is
        returned, with ``silhouette`` NaN.
    sample_weight : array-like of shape (n,), default=None
        Non-negative weights; the objective is the weighted mean of the medoid
        silhouettes (integer weights equal duplicated rows).
    max_iter : int, default=300
        Maximum number of iterations (passes for FasterMSC).
    init : {"random", "build", "lab", "k-medoids++"}, default="%s"
        Start used when ``medoids`` is an int."""

_MSC_RETURNS = """
    Returns
    -------
    KMedoidsResult
        ``medoids``, ``labels``, ``loss`` (the sum of weighted distances, as for every
        method), ``silhouette`` (the optimised %s), ``n_iter``, ``n_swaps``."""


def fastermsc(D, medoids, *, sample_weight=None, max_iter=300, init="random", shuffle=False,
              random_state=None, n_threads=None, check_input=True):
    return _run("fastermsc", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input, shuffle=shuffle)


fastermsc.__doc__ = f"""FasterMSC: eager medoid-silhouette clustering on a dissimilarity
    matrix.

    Maximises the average medoid silhouette ``mean(1 - a / b)`` (a, b: distances to the
    nearest and second nearest medoid) with FasterPAM's eager swaps and the O(k^2) faster
    FastMSC evaluation (Lenssen and Schubert 2024); the fastest way to optimise it.

{_MSC_PARAMETERS % "random"}
    shuffle : bool, default=False
        Visit the candidates in one random order drawn from ``random_state`` instead of
        index order.
{_COMMON.split("    Returns")[0].rstrip()}
{_MSC_RETURNS % "average medoid silhouette"}

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import fastermsc
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> res = fastermsc(np.abs(X - X.T), np.array([0, 1]))
    >>> sorted(res.medoids.tolist()), round(res.silhouette, 4)
    ([1, 4], 0.9327)
    """


def fastmsc(D, medoids, *, sample_weight=None, max_iter=300, init="random",
            random_state=None, n_threads=None, check_input=True):
    return _run("fastmsc", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input)


fastmsc.__doc__ = f"""FastMSC: exactly PAMMEDSIL's swaps for the medoid silhouette, found
    in O(n^2) per iteration instead of O(k^2 n^2).

    Each iteration executes the best of all k(n-k) swaps (ties: lowest candidate, then
    lowest slot; values within ``1e-12 * n`` count as ties). Slower than
    :func:`fastermsc`, which is not worse on average.

{_MSC_PARAMETERS % "random"}
{_COMMON.split("    Returns")[0].rstrip()}
{_MSC_RETURNS % "average medoid silhouette"}

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import fastmsc
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> res = fastmsc(np.abs(X - X.T), np.array([0, 1]))
    >>> sorted(res.medoids.tolist()), round(res.silhouette, 4)
    ([1, 4], 0.9327)
    """


def pammedsil(D, medoids, *, sample_weight=None, max_iter=300, init="build",
              random_state=None, n_threads=None, check_input=True):
    return _run("pammedsil", D, medoids, sample_weight, max_iter, init, random_state,
                n_threads, check_input)


pammedsil.__doc__ = f"""PAMMEDSIL: the original best-swap search for the medoid silhouette
    (Van der Laan et al. 2003), every swap evaluated from scratch, O(k^2 n^2) per
    iteration. A baseline: :func:`fastmsc` performs the same swaps.

{_MSC_PARAMETERS % "build"}
{_COMMON.split("    Returns")[0].rstrip()}
{_MSC_RETURNS % "average medoid silhouette"}

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import pammedsil
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> sorted(pammedsil(np.abs(X - X.T), 2).medoids.tolist())
    [1, 4]
    """


def pamsil(D, medoids, *, max_iter=300, init="build", random_state=None, n_threads=None,
           check_input=True):
    return _run("pamsil", D, medoids, None, max_iter, init, random_state, n_threads,
                check_input)


pamsil.__doc__ = f"""PAMSIL: best swaps for the original silhouette of the nearest-medoid
    partition (Van der Laan et al. 2003).

    Every trial swap is scored on all n objects (O(n^2) and more per iteration and
    candidate slot), so it is for small data. It takes no ``sample_weight``: the mean
    distance to the own cluster excludes the object itself, so no weighting equals
    duplicated points. Ties go to the lowest slot, then the lowest candidate, as in the
    original algorithm.

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal.
    medoids : int or array-like of shape (k,)
        Number of clusters or initial medoid indices (k = 1: the medoid with the smallest
        distance sum, ``silhouette`` NaN).
    max_iter : int, default=300
    init : {{"random", "build", "lab", "k-medoids++"}}, default="build"
{_COMMON.split("    Returns")[0].rstrip()}
{_MSC_RETURNS % "average silhouette"}

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import pamsil
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> res = pamsil(np.abs(X - X.T), 2)
    >>> res.labels.tolist(), round(res.silhouette, 4)
    ([0, 0, 0, 1, 1, 1], 0.8657)
    """


def dynmsc(D, medoids, *, min_clusters=2, sample_weight=None, max_iter=300, init="random",
           shuffle=False, random_state=None, n_threads=None, check_input=True):
    """DynMSC: the medoid-silhouette clustering with the best number of clusters.

    Starts with FasterMSC at ``k_max`` medoids, then repeatedly removes one medoid and
    optimises again, down to ``min_clusters``, and returns the k with the highest
    average medoid silhouette (Lenssen and Schubert 2024). The medoid removed is the one
    whose removal changes the medoid silhouette most unfavourably, as in the authors'
    implementation (``kmedoids.dynmsc``); the next FasterMSC run repairs the hole.

    The silhouette tends to prefer small k: keep ``k_max`` within two to three times the
    number of clusters you expect, and look at the whole curve (``result.search``), not
    only at its maximum.

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal; float32 is kept as float32.
    medoids : int or array-like of shape (k_max,)
        The largest number of clusters to try (then ``init`` picks the start), or the
        ``k_max`` initial medoids.
    min_clusters : int, default=2
        The smallest number of clusters to try (at least 2).
    sample_weight : array-like of shape (n,), default=None
        Non-negative weights (integer weights equal duplicated rows).
    max_iter : int, default=300
        Maximum number of FasterMSC passes at every k.
    init : {"random", "build", "lab", "k-medoids++"}, default="random"
        Start used when ``medoids`` is an int.
    shuffle : bool, default=False
        Visit the candidates in one random order drawn from ``random_state``.
    random_state : int, RandomState instance or None, default=None
    n_threads : int or None, default=None
        Threads (None: OpenMP's default). The result does not depend on it.
    check_input : bool, default=True
        Validate D first.

    Returns
    -------
    KMedoidsResult
        The clustering with the best k: ``medoids``, ``labels``, ``loss`` (sum of
        distances), ``silhouette`` (its average medoid silhouette), ``n_iter`` and
        ``n_swaps`` (summed over every k), and ``search``: ``"n_clusters"``,
        ``"medoid_silhouette"``, ``"loss"``, ``"n_iter"``, ``"n_swaps"``, ``"medoids"``
        at every k tried, in increasing k.

    Raises
    ------
    ValueError
        For ``k_max < 2``, ``k_max > n``, ``min_clusters < 2`` or
        ``min_clusters > k_max``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import dynmsc
    >>> X = np.r_[np.arange(5.0), np.arange(5.0) + 20, np.arange(5.0) + 50][:, None]
    >>> res = dynmsc(np.abs(X - X.T), 6, random_state=0)
    >>> len(res.medoids), res.search["n_clusters"].tolist()
    (3, [2, 3, 4, 5, 6])
    >>> res.search["medoid_silhouette"].round(3).tolist()
    [0.845, 0.946, 0.881, 0.899, 0.932]
    """
    D = check_dissimilarity(D, n_threads=n_threads) if check_input else as_float_matrix(D)
    n = D.shape[0]
    w = check_weights(sample_weight, n)
    if isinstance(medoids, (Integral, np.integer)) and not isinstance(medoids, bool):
        k_max, start = int(medoids), init
    else:
        start = check_medoid_array(medoids, n)
        k_max = len(start)
    min_clusters, k_max = check_cluster_range(min_clusters, k_max, n, "medoids")
    rng = check_random_state(random_state)
    nt = effective_n_threads(n_threads)
    start = initial_medoids(D, k_max, start, w, rng, nt)
    order = rng.permutation(n).astype(np.intp) if shuffle else None
    return search_n_clusters(D, start, w, "fastermsc", min_clusters, max_iter, nt,
                             order=order)
