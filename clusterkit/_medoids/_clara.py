"""CLARA, FastCLARA and FasterCLARA: k-medoids on samples, judged on all the data."""
import time
from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast._openmp_helpers import effective_n_threads
from .._utils._logging import reporter
from ._base import _MedoidEstimator, _SearchEstimator
from ._engine import INITS, initial_medoids, pairwise_dissimilarity, swap_phase
from ._refine import MAX_ROUNDS, assign, refine_medoids

CLARA_METHODS = ("fasterpam", "fastpam2", "pam")


def cluster_sample(Ds, ws, k, method, init, max_iter, seed, n_threads):
    """k-medoids on one sample's matrix; the initialisation is seeded by ``seed``.

    Returns a KMedoidsResult with sample-local medoid positions.
    """
    if ws is None or not np.any(ws > 0):
        ws = np.ones(Ds.shape[0])  # an all-zero-weight sample: cluster it unweighted
    ws = np.ascontiguousarray(ws, dtype=np.float64)
    start = initial_medoids(Ds, k, init, ws, np.random.RandomState(seed), n_threads)
    return swap_phase(Ds, start, ws, method, max_iter, n_threads)


def draw_independent_samples(rng, n, s, n_samples):
    """``n_samples`` sorted samples of ``s`` distinct rows, then one seed per sample."""
    rows = [np.sort(rng.choice(n, size=s, replace=False)).astype(np.intp)
            for _ in range(n_samples)]
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_samples)
    return rows, seeds


def draw_keep_best_sample(rng, n, s, best_medoids=None):
    """One keep-best CLARA sample: ``s`` sorted distinct rows that contain ``best_medoids``
    (the best medoids so far, if any), then the seed of its initialisation.

    :class:`CLARA` and :class:`clusterkit.dask.DaskCLARA` both draw through here, so the
    same generator gives them the same samples.
    """
    if best_medoids is None:
        rows = rng.choice(n, size=s, replace=False)
    else:
        # keep the best medoids so far; draw the rest from the other objects
        others = np.setdiff1d(np.arange(n), best_medoids, assume_unique=True)
        rows = np.concatenate([best_medoids,
                               rng.choice(others, size=s - len(best_medoids),
                                          replace=False)])
    return np.sort(rows).astype(np.intp), rng.randint(np.iinfo(np.int32).max)


def default_sample_size(method, n, k, n_sampling):
    """80 + 4k (fast methods) or 40 + 2k (PAM) capped at n, or the validated user value."""
    if n_sampling is None:
        return min(n, 40 + 2 * k if method == "pam" else 80 + 4 * k)
    if not k <= n_sampling <= n:
        raise ValueError(f"n_sampling={n_sampling} must be between n_clusters={k} "
                         f"and n_samples={n}.")
    return int(n_sampling)


def quality_sample_size(method, n, k, n_sampling):
    """CLARA's default with keep-best sampling: ``max(80 + 4k, 20k)`` capped at n (the
    paper's 40 + 2k for PAM), or the validated user value.

    20 sample objects per medoid let the sample search allocate the medoids to the right
    groups; the refinement on all the data then places each one within its group.
    """
    if n_sampling is None and method != "pam":
        return min(n, max(80 + 4 * k, 20 * k))
    return default_sample_size(method, n, k, n_sampling)


class CLARA(_SearchEstimator):
    """CLARA, FastCLARA and FasterCLARA: k-medoids on samples, judged on all the data.

    Each of ``n_sampling_iter`` samples of ``n_sampling`` objects is clustered with a
    k-medoids kernel on its small s x s matrix; the medoids of every sample are then judged
    by the loss of **all** n objects (computed in chunks, O(n k) distances, never an n x n
    matrix) and the best sample wins. Every sample after the first contains the best
    medoids found so far, so the loss never gets worse. Then a refinement on all the data
    (PAMAE's second phase) moves every medoid to the best of a few candidates of its
    cluster, judged on the whole cluster, for a few rounds while the loss decreases.

    **Defaults and the rule behind them.** With the default ``sampling="keep_best"``, the
    sample holds ``max(80 + 4k, 20k)`` objects (capped at n) and the refinement runs
    (``refine="auto"``): the sample search puts the medoids in the right groups, the
    refinement places each one within its group. On the benchmarks of docs/clara.rst
    (blobs 20000 x 20 and MNIST 5000 x 784 at k = 100, digits with manhattan, blobs of
    unequal sizes) the mean gap to full-matrix FasterPAM over 3 seeds was +0.1%, +1.1%,
    +0.9% and +1.7% (worst seed +2.0%, on the unequal sizes), where the paper's settings
    (5 samples of 80 + 4k, no refinement) were 6-11% above it; it takes 2-4x their time.
    For the paper's settings pass ``n_sampling=80 + 4 * k, refine=False`` (FasterCLARA,
    FastCLARA) or ``method="pam", refine=False`` (classic CLARA: 40 + 2k).
    ``sampling="independent"`` keeps the paper's settings and no refinement by default, so
    that it gives what ``DaskCLARA(sampling="independent")`` gives; with the defaults,
    :class:`clusterkit.dask.DaskCLARA` draws the same keep-best samples as CLARA.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of medoids k.
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` or a callable;
        ``"precomputed"`` takes a square n x n matrix (allowed, but it defeats CLARA's
        purpose: with the matrix in memory, :class:`KMedoids` is exact and fast; CLARA then
        only saves time for very large n).
    metric_params : dict, default=None
        Extra keyword arguments for the metric.
    method : {"fasterpam", "fastpam2", "pam"}, default="fasterpam"
        Kernel for each sample: FasterCLARA (default), FastCLARA, or classic CLARA.
    init : {"build", "lab", "random", "k-medoids++"}, default="build"
        Initialisation of the first sample's clustering (of every sample for classic
        CLARA, ``method="pam"``, and with ``sampling="independent"``). With the fast methods,
        later samples start from the best medoids so far, which they contain.
    n_sampling : int, default=None
        Sample size, between k and n. Default: ``max(80 + 4k, 20k)`` capped at n for the
        fast methods with ``sampling="keep_best"``; 80 + 4k with ``"independent"``; 40 + 2k
        for ``"pam"``.
    n_sampling_iter : int, default=5
        Number of samples.
    sampling : {"keep_best", "independent"}, default="keep_best"
        ``"keep_best"``: every sample after the first contains the best medoids so far (the
        loss can only improve). ``"independent"``: all samples are drawn up front, as
        ``DaskCLARA(sampling="independent")`` does to cluster them in parallel; the same
        ``random_state`` then gives the same samples and medoids in both.
    max_iter : int, default=300
        Maximum number of swap iterations per sample.
    refine : bool or "auto", default="auto"
        Refine the best medoids on all the data (``"auto"``: with ``sampling="keep_best"``
        only). Each round assigns all objects (O(n k) distances), takes as candidates in
        every cluster its medoid, the 16 members nearest to it and 16 random members, and
        judges them on the whole cluster (on 2000 random members of a larger cluster):
        O(33 n) distances, one cluster's block in memory at a time. A round that does not
        lower the loss on all the data is discarded: refinement never increases the loss.
    refine_iter : int, default=10
        Maximum number of refinement rounds (at least 1 when refining).
    random_state : int, RandomState instance or None, default=None
        Seeds the samples and the initialisations.
    verbose : int, default=0
        Print the loss of every sample.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    medoid_indices_ : ndarray of shape (n_clusters,)
        Global row indices of the medoids.
    cluster_centers_ : ndarray of shape (n_clusters, n_features) or None
        ``X[medoid_indices_]`` (None when precomputed).
    inertia_ : float
        Loss of all n objects for the best medoids (after the refinement).
    sample_loss_ : float
        Loss of all n objects for the best sample's medoids, before the refinement.
    n_refine_rounds_ : int
        Refinement rounds that lowered the loss (0 without refinement).
    sample_losses_ : ndarray of shape (n_sampling_iter,)
        Loss of all n objects for every sample's medoids, in sampling order.
    best_sample_ : int
        Which sample won (index into ``sample_losses_``).
    sample_indices_ : ndarray of shape (n_sampling,)
        The winning sample's rows.
    n_iter_ : int
        Swap iterations of the winning sample's run.
    n_swaps_ : int
        Swaps of the winning sample's run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    KMedoids : exact k-medoids when the n x n matrix fits.
    CLARANS : randomized search, no sampling of the data.

    References
    ----------
    .. [1] L. Kaufman, P. J. Rousseeuw. Clustering large data sets. Pattern Recognition in
       Practice II (1986); Finding Groups in Data, ch. 3 (1990).
    .. [2] E. Schubert, P. J. Rousseeuw. Fast and eager k-medoids clustering. Information
       Systems 101 (2021) 101804.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import CLARA
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> clara = CLARA(n_clusters=2, random_state=0).fit(X)
    >>> clara.labels_
    array([0, 0, 0, 1, 1, 1])
    >>> clara.predict([[0, 0], [12, 3]])
    array([0, 1])
    """

    _parameter_constraints = {
        **_MedoidEstimator._parameter_constraints,
        "method": [StrOptions(set(CLARA_METHODS))],
        "init": [StrOptions(set(INITS))],
        "n_sampling": [Interval(Integral, 1, None, closed="left"), None],
        "n_sampling_iter": [Interval(Integral, 1, None, closed="left")],
        "sampling": [StrOptions({"keep_best", "independent"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "refine": ["boolean", StrOptions({"auto"})],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 method="fasterpam", init="build", n_sampling=None, n_sampling_iter=5,
                 sampling="keep_best", max_iter=300, refine="auto", refine_iter=MAX_ROUNDS,
                 random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.method = method
        self.init = init
        self.n_sampling = n_sampling
        self.n_sampling_iter = n_sampling_iter
        self.sampling = sampling
        self.max_iter = max_iter
        self.refine = refine
        self.refine_iter = refine_iter
        self.random_state = random_state
        self.verbose = verbose

    def _sample_matrix(self, X, rows):
        if self._precomputed():
            return np.ascontiguousarray(X[np.ix_(rows, rows)])
        return pairwise_dissimilarity(X[rows], self.metric, self.metric_params)

    def _full_loss(self, X, medoids, w):
        labels, dist, loss = assign(X, medoids, w, self.metric, self.metric_params,
                                    self._precomputed())
        self._last_dist = dist
        return loss, labels

    def _refines(self):
        if self.refine == "auto":
            return self.sampling == "keep_best"
        return bool(self.refine)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Cluster the samples and keep the medoids with the lowest loss on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or \
(n_samples, n_samples)
            Training data, or a square dissimilarity matrix if ``metric="precomputed"``.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used in each sample's clustering and in the full loss.

        Returns
        -------
        self : CLARA
        """
        log = reporter(self)
        X, n, k, w, rng = self._prepare_fit(X, sample_weight)
        if self._refines() and self.refine_iter < 1:
            raise ValueError(f"refine_iter={self.refine_iter} must be at least 1 when "
                             "refining; pass refine=False to skip the refinement.")
        if self.sampling == "keep_best":
            s = quality_sample_size(self.method, n, k, self.n_sampling)
        else:
            s = default_sample_size(self.method, n, k, self.n_sampling)
        nt = effective_n_threads()

        if self.sampling == "independent":
            samples, seeds = draw_independent_samples(rng, n, s, self.n_sampling_iter)
        losses = []
        best = None
        for it in range(self.n_sampling_iter):
            t1 = time.perf_counter()
            if self.sampling == "independent":
                rows, seed = samples[it], seeds[it]
            else:
                rows, seed = draw_keep_best_sample(rng, n, s,
                                                   None if best is None else best["medoids"])
            init = self.init
            if best is not None and self.sampling == "keep_best" and self.method != "pam":
                # the fast variants start from the best medoids so far (they are in the
                # sample): cheaper than a new BUILD, and the sample loss can only improve
                init = np.searchsorted(rows, best["medoids"]).astype(np.intp)
            res = cluster_sample(self._sample_matrix(X, rows), w[rows], k, self.method,
                                 init, self.max_iter, seed, nt)
            medoids = rows[res.medoids]
            loss, labels = self._full_loss(X, medoids, w)
            losses.append(loss)
            if best is None or loss < best["loss"]:
                best = dict(medoids=medoids, labels=labels, loss=loss, rows=rows, it=it,
                            n_iter=res.n_iter, n_swaps=res.n_swaps, dist=self._last_dist)
            log(f"sample {it + 1}/{self.n_sampling_iter}: {s} objects, loss on all "
                f"{n} = {loss:.6g}{' (best)' if best['it'] == it else ''}", since=t1)

        self.sample_loss_ = best["loss"]
        self.n_refine_rounds_ = 0
        if self._refines():
            t1 = time.perf_counter()
            ref = refine_medoids(X, best["medoids"], w, metric=self.metric,
                                 metric_params=self.metric_params,
                                 precomputed=self._precomputed(),
                                 max_rounds=self.refine_iter, random_state=rng,
                                 start=(best["labels"], best["dist"], best["loss"]))
            best.update(medoids=ref.medoids, labels=ref.labels, loss=ref.loss)
            self.n_refine_rounds_ = ref.n_rounds
            log(f"refinement: {ref.n_rounds} rounds, loss on all {n} = {ref.loss:.6g}",
                since=t1)
        del self._last_dist
        self._set_best(X, best)
        self.sample_losses_ = np.array(losses)
        self.best_sample_ = best["it"]
        self.sample_indices_ = best["rows"]
        self.n_iter_ = best["n_iter"]
        self.n_swaps_ = best["n_swaps"]
        log.done(f"done: loss {best['loss']:.6g}")
        return self
