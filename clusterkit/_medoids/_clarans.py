"""CLARANS and FastCLARANS: randomized k-medoids search without an n x n matrix."""
import time
from collections import OrderedDict
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import pairwise_distances
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast import _clarans
from .._utils._chunking import chunk_n_rows
from .._utils._logging import reporter
from ._base import _MedoidEstimator, _SearchEstimator, distance_chunks


class _RowSource:
    """Distances of one object to all objects, computed on demand and cached (LRU) within
    a memory budget; rows of a precomputed matrix are read directly."""

    def __init__(self, X, metric, metric_params, precomputed):
        self.X, self.metric, self.params = X, metric, metric_params or {}
        self.precomputed = precomputed
        # the cache holds as many rows as one chunk of the working memory
        self.max_rows = chunk_n_rows(8 * X.shape[0])
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
        for a, b, block in distance_chunks(self.X, self.X[medoids], self.metric, self.params):
            # through the rows' dtype: the caches then hold values of that dtype, as the
            # swap updates (from float32 rows) do, and the kernel's float32 test is exact
            out[a:b] = block.astype(self.dtype, copy=False)
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
        **_MedoidEstimator._parameter_constraints,
        "method": [StrOptions({"fast", "classic"})],
        "numlocal": [Interval(Integral, 1, None, closed="left")],
        "maxneighbor": [Interval(Integral, 1, None, closed="left"),
                        Interval(Real, 0, 1, closed="right"), None],
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
        log = reporter(self)
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
            log(f"restart {restart + 1}/{self.numlocal}: loss {td:.6g}, {tries} tries, "
                f"{swaps} swaps", since=t1)

        self._set_best(X, best)
        self.local_losses_ = np.array(local_losses)
        self.n_iter_ = best["tries"]
        self.n_swaps_ = best["swaps"]
        log.done(f"done: loss {best['loss']:.6g}")
        return self
