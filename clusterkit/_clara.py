"""CLARA and CLARANS: k-medoids for data too large for an n x n matrix."""
import time
from collections import OrderedDict
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import _VALID_METRICS
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._fast import _clarans
from ._fast._openmp import effective_n_threads
from ._kmedoids import INITS, _initial_medoids, _swap_phase
from ._medoid_base import _MedoidEstimator, nearest_medoid
from ._utils._validation import (
    check_dissimilarity,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)

_METRICS = [StrOptions(set(_VALID_METRICS) | {"precomputed"}), callable]


class _SearchEstimator(_MedoidEstimator):
    """CLARA and CLARANS keep the best of several searches; this stores it."""

    def _prepare_fit(self, X, sample_weight):
        """Validated X (a checked matrix when precomputed), n, k, weights and generator."""
        X = self._validate_X(X, reset=True)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        w = check_weights(sample_weight, n)
        if self._precomputed():
            X = check_dissimilarity(X, "The precomputed matrix X")
        return X, n, k, w, check_random_state(self.random_state)

    def _set_best(self, X, best):
        med = best["medoids"]
        if self._precomputed():
            gram = np.asarray(X)[np.ix_(med, med)]
        else:
            gram = pairwise_distances(X[med], metric=self.metric,
                                      **(self.metric_params or {}))
        warn_if_coincident_medoids(gram, np.arange(len(med)))
        self._set_fitted(X, med, best["labels"], best["loss"])


def sample_dissimilarity(Xs, metric, metric_params):
    """Validated s x s dissimilarity matrix of a sample's feature rows (dtype kept)."""
    Ds = pairwise_distances(Xs, metric=metric, **(metric_params or {}))
    dtype = Xs.dtype if Xs.dtype in (np.float32, np.float64) else np.float64
    Ds = np.ascontiguousarray(Ds, dtype=dtype)
    np.fill_diagonal(Ds, 0)
    return check_dissimilarity(Ds, f"The {metric!r} dissimilarity matrix")


def cluster_sample(Ds, ws, k, method, init, max_iter, seed, n_threads):
    """k-medoids on one sample's matrix; the initialisation is seeded by ``seed``.

    Returns a KMedoidsResult with sample-local medoid positions.
    """
    if ws is None or not np.any(ws > 0):
        ws = np.ones(Ds.shape[0])  # an all-zero-weight sample: cluster it unweighted
    rng = np.random.RandomState(seed)
    start = _initial_medoids(Ds, k, init, np.ascontiguousarray(ws, dtype=np.float64), rng,
                             n_threads)
    return _swap_phase(Ds, start, np.ascontiguousarray(ws, dtype=np.float64), method,
                       max_iter, n_threads)


def draw_independent_samples(rng, n, s, n_samples):
    """``n_samples`` sorted samples of ``s`` distinct rows, then one seed per sample."""
    rows = [np.sort(rng.choice(n, size=s, replace=False)).astype(np.intp)
            for _ in range(n_samples)]
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_samples)
    return rows, seeds


def default_sample_size(method, n, k, n_sampling):
    """80 + 4k (fast methods) or 40 + 2k (PAM) capped at n, or the validated user value."""
    if n_sampling is None:
        return min(n, 40 + 2 * k if method == "pam" else 80 + 4 * k)
    if not k <= n_sampling <= n:
        raise ValueError(f"n_sampling={n_sampling} must be between n_clusters={k} "
                         f"and n_samples={n}.")
    return int(n_sampling)


class CLARA(_SearchEstimator):
    """CLARA, FastCLARA and FasterCLARA: k-medoids on samples, judged on all the data.

    Each of ``n_sampling_iter`` samples of ``n_sampling`` objects is clustered with a
    k-medoids kernel on its small s x s matrix; the medoids of every sample are then judged
    by the loss of **all** n objects (computed in chunks, O(n k) distances, never an n x n
    matrix) and the best sample wins. Every sample after the first contains the best
    medoids found so far, so the loss never gets worse.

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
        Sample size; default 80 + 4k for the fast methods and 40 + 2k for ``"pam"``,
        capped at n.
    n_sampling_iter : int, default=5
        Number of samples.
    sampling : {"keep_best", "independent"}, default="keep_best"
        ``"keep_best"``: every sample after the first contains the best medoids so far (the
        loss can only improve). ``"independent"``: all samples are drawn up front, which is
        what :class:`clusterkit.dask.DaskCLARA` does to cluster them in parallel; the same
        ``random_state`` then gives the same samples and medoids in both.
    max_iter : int, default=300
        Maximum number of swap iterations per sample.
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
        Loss of all n objects for the best medoids.
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
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "metric": _METRICS,
        "metric_params": [dict, None],
        "method": [StrOptions({"fasterpam", "fastpam2", "pam"})],
        "init": [StrOptions(set(INITS))],
        "n_sampling": [Interval(Integral, 1, None, closed="left"), None],
        "n_sampling_iter": [Interval(Integral, 1, None, closed="left")],
        "sampling": [StrOptions({"keep_best", "independent"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 method="fasterpam", init="build", n_sampling=None, n_sampling_iter=5,
                 sampling="keep_best", max_iter=300, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.method = method
        self.init = init
        self.n_sampling = n_sampling
        self.n_sampling_iter = n_sampling_iter
        self.sampling = sampling
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose

    def _sample_matrix(self, X, rows):
        if self._precomputed():
            return np.ascontiguousarray(X[np.ix_(rows, rows)])
        return sample_dissimilarity(X[rows], self.metric, self.metric_params)

    def _full_loss(self, X, medoids, w):
        if self._precomputed():
            labels, dist = nearest_medoid(X, None, precomputed_cols=medoids)
        else:
            labels, dist = nearest_medoid(X, X[medoids], self.metric, self.metric_params)
        labels[medoids] = np.arange(len(medoids))  # a medoid belongs to its own cluster
        dist[medoids] = 0.0
        return float(np.dot(w, dist)), labels

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
        t0 = time.perf_counter()
        X, n, k, w, rng = self._prepare_fit(X, sample_weight)
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
                if best is None:
                    rows = rng.choice(n, size=s, replace=False)
                else:
                    # keep the best medoids so far; draw the rest from the other objects
                    others = np.setdiff1d(np.arange(n), best["medoids"], assume_unique=True)
                    rows = np.concatenate([best["medoids"],
                                           rng.choice(others, size=s - k, replace=False)])
                rows = np.sort(rows).astype(np.intp)
                seed = rng.randint(np.iinfo(np.int32).max)
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
                            n_iter=res.n_iter, n_swaps=res.n_swaps)
            self._log(f"sample {it + 1}/{self.n_sampling_iter}: {s} objects, loss on all "
                      f"{n} = {loss:.6g}{' (best)' if best['it'] == it else ''}", t1)

        self._set_best(X, best)
        self.sample_losses_ = np.array(losses)
        self.best_sample_ = best["it"]
        self.sample_indices_ = best["rows"]
        self.n_iter_ = best["n_iter"]
        self.n_swaps_ = best["n_swaps"]
        self._log(f"done: loss {best['loss']:.6g}", t0)
        return self


class _RowSource:
    """Distances of one object to all objects, computed on demand and cached (LRU) within
    a memory budget; rows of a precomputed matrix are read directly."""

    def __init__(self, X, metric, metric_params, precomputed, budget_bytes=256 * 2**20):
        self.X, self.metric, self.params = X, metric, metric_params or {}
        self.precomputed = precomputed
        self.max_rows = max(1, budget_bytes // (8 * X.shape[0]))
        self.cache = OrderedDict()
        self.dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64

    def row(self, j):
        if self.precomputed:
            return np.ascontiguousarray(self.X[j])
        r = self.cache.get(j)
        if r is None:
            r = pairwise_distances(self.X[j:j + 1], self.X, metric=self.metric,
                                   **self.params)[0]
            r = np.ascontiguousarray(r, dtype=self.dtype)
            r[j] = 0.0
            self.cache[j] = r
            if len(self.cache) > self.max_rows:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(j)
        return r

    def prefetch(self, rows):
        """Compute the rows of several objects in one call (amortises input validation)."""
        if self.precomputed:
            return
        todo = [j for j in dict.fromkeys(int(r) for r in rows) if j not in self.cache]
        if not todo:
            return
        block = pairwise_distances(self.X[todo], self.X, metric=self.metric, **self.params)
        for t, j in enumerate(todo):
            r = np.ascontiguousarray(block[t], dtype=self.dtype)
            r[j] = 0.0
            self.cache[j] = r
        while len(self.cache) > self.max_rows:
            self.cache.popitem(last=False)

    def columns(self, medoids):
        """n x k distances of all objects to the medoids, computed in chunks."""
        if self.precomputed:
            return np.asarray(self.X)[:, medoids].astype(np.float64)
        n = self.X.shape[0]
        out = np.empty((n, len(medoids)), dtype=np.float64)
        step = max(1, (64 * 2**20) // (8 * len(medoids)))
        for a in range(0, n, step):
            out[a:a + step] = pairwise_distances(self.X[a:a + step], self.X[medoids],
                                                 metric=self.metric, **self.params)
        out[medoids, np.arange(len(medoids))] = 0.0
        return out


class CLARANS(_SearchEstimator):
    """CLARANS and FastCLARANS: randomized search for k-medoids, no n x n matrix needed.

    From ``numlocal`` random starts, repeatedly try a random swap and do it if it lowers
    the loss; a start ends after ``maxneighbor`` failed tries in a row, and the best end
    point wins. ``method="fast"`` (FastCLARANS) tries a random non-medoid against **all k
    medoids at once** with the FastPAM1 inner loop (default ``maxneighbor`` 2.5% of n-k);
    ``"classic"`` tries one random (medoid, non-medoid) pair (1.25% of k(n-k)). Each try
    needs one candidate's distances to all objects, computed on demand (and cached within
    256 MiB), plus the n x k distances to the current medoids.

    Parameters
    ----------
    n_clusters : int, default=8
    metric : str or callable, default="euclidean"
        As in :class:`KMedoids`; ``"precomputed"`` reads rows of a square matrix.
    metric_params : dict, default=None
    method : {"fast", "classic"}, default="fast"
    numlocal : int, default=2
        Number of random restarts.
    maxneighbor : int or float, default=None
        Failed tries in a row that end a restart: an int, or a share of the neighbours in
        (0, 1] (of n-k for "fast", of k(n-k) for "classic"). None: 0.025 for "fast",
        0.0125 for "classic" (at least 10 tries either way).
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    labels_, medoid_indices_, cluster_centers_, inertia_, n_features_in_, \
feature_names_in_ :
        As in :class:`KMedoids`.
    local_losses_ : ndarray of shape (numlocal,)
        Loss at the end of every restart.
    n_swaps_ : int
        Swaps done in the winning restart.
    n_iter_ : int
        Tries (swap evaluations) in the winning restart.

    References
    ----------
    .. [1] R. T. Ng, J. Han. CLARANS: a method for clustering objects for spatial data
       mining. IEEE TKDE 14(5) (2002).
    .. [2] E. Schubert, P. J. Rousseeuw. Fast and eager k-medoids clustering. Information
       Systems 101 (2021) 101804.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import CLARANS
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> CLARANS(n_clusters=2, random_state=0).fit(X).labels_
    array([0, 0, 0, 1, 1, 1])
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "metric": _METRICS,
        "metric_params": [dict, None],
        "method": [StrOptions({"fast", "classic"})],
        "numlocal": [Interval(Integral, 1, None, closed="left")],
        "maxneighbor": [Interval(Integral, 1, None, closed="left"),
                        Interval(Real, 0, 1, closed="right"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 method="fast", numlocal=2, maxneighbor=None, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.method = method
        self.numlocal = numlocal
        self.maxneighbor = maxneighbor
        self.random_state = random_state
        self.verbose = verbose

    def _max_failures(self, n, k):
        neighbours = (n - k) if self.method == "fast" else k * (n - k)
        m = self.maxneighbor
        if m is None:
            m = 0.025 if self.method == "fast" else 0.0125
        if isinstance(m, (Integral, np.integer)) and not isinstance(m, bool):
            return int(m)
        if m <= 0:
            raise ValueError(f"maxneighbor={m} must be positive.")
        return max(10, int(np.ceil(m * neighbours)))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Search for medoids with random restarts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or \
(n_samples, n_samples)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : CLARANS
        """
        t0 = time.perf_counter()
        X, n, k, w, rng = self._prepare_fit(X, sample_weight)
        max_fail = self._max_failures(n, k)
        rows = _RowSource(X, self.metric, self.metric_params, self._precomputed())
        batch = int(min(64, rows.max_rows))
        eps = 1e-12

        best = None
        local_losses = []
        for restart in range(self.numlocal):
            t1 = time.perf_counter()
            medoids = np.sort(rng.choice(n, size=k, replace=False)).astype(np.intp)
            state, td = _clarans.new_state(medoids, rows.columns(medoids), w)
            fails = tries = swaps = 0
            cands, slots, pos = [], [], 0
            while fails < max_fail and k < n:
                if pos == len(cands):
                    # draw a batch of tries; their rows are computed in one call
                    cands = rng.randint(n, size=batch)
                    slots = rng.randint(k, size=batch)
                    pos = 0
                    rows.prefetch([c for c in cands if not _clarans.is_medoid(state, c)])
                c, slot = int(cands[pos]), int(slots[pos])
                pos += 1
                if _clarans.is_medoid(state, c):
                    continue
                row = rows.row(c)
                tries += 1
                if self.method == "fast" and k > 1:
                    change, slot = _clarans.best_slot_change(state, row, w)
                else:
                    # classic: the drawn slot (with k = 1 the pair formula is exact)
                    change = _clarans.pair_change(state, row, slot, w)
                if change < -eps * td:
                    td = _clarans.swap(state, row, slot, c, w)
                    swaps += 1
                    fails = 0
                else:
                    fails += 1
            local_losses.append(td)
            if best is None or td < best["loss"]:
                labels, _ = _clarans.labels_of(state)
                best = dict(medoids=_clarans.medoids_of(state), labels=labels, loss=td,
                            tries=tries, swaps=swaps)
            self._log(f"restart {restart + 1}/{self.numlocal}: loss {td:.6g}, {tries} tries, "
                      f"{swaps} swaps", t1)

        self._set_best(X, best)
        self.local_losses_ = np.array(local_losses)
        self.n_iter_ = best["tries"]
        self.n_swaps_ = best["swaps"]
        self._log(f"done: loss {best['loss']:.6g}", t0)
        return self
