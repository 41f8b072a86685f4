"""Scale-out on Dask: CLARA and PPP for data that no longer fits one machine.

Dask is imported lazily: ``import clusterkit`` never needs it, and using this module
without it raises an ImportError naming the extra to install
(``pip install "clusterkit[dask]"``).
"""
import copy
import time
from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import pairwise_distances
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._medoids import (
    CLARA_METHODS,
    INITS,
    _MedoidEstimator,
    cluster_sample,
    default_sample_size,
    distance_chunks,
    draw_independent_samples,
    medoids_in_rows,
    nearest_medoid,
    own_cluster,
    pairwise_dissimilarity,
)
from ._ppp import PPP, build_codebook, merge_codebooks
from ._utils._logging import reporter
from ._utils._validation import check_n_clusters

__all__ = ["DaskCLARA", "DaskPPP"]


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - exercised without dask installed
        raise ImportError("clusterkit.dask needs Dask: pip install \"clusterkit[dask]\" "
                          "(dask[array] and distributed).") from exc
    return dask, da


def _as_dask_array(X, who):
    """A 2-D float dask array with whole rows per chunk (NumPy input is chunked)."""
    _, da = _import_dask()
    if not isinstance(X, da.Array):
        if hasattr(X, "tocsr"):
            raise TypeError(f"{who} takes dense data (a dask array or a NumPy array).")
        X = np.asarray(X)
        # dask's own chunk-size rule (config "array.chunk-size"), whole rows per chunk
        X = da.from_array(X, chunks=("auto", -1))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got {X.ndim} dimension(s).")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"X must hold numbers, got dtype {X.dtype}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})  # whole rows per chunk
    return X


def _chunk_losses(chunk, start, centers, medoid_sets, metric, metric_params):
    """Per-sample loss contributions of one chunk (global rows start..): candidate set s is
    ``medoid_sets[s]``, whose rows are centers[s*k:(s+1)*k]. A medoid's distance to itself
    is taken as 0, as in the in-memory CLARA. Also reports NaN or infinity."""
    chunk = np.asarray(chunk)
    n_sets, k = medoid_sets.shape
    if not np.all(np.isfinite(chunk)):
        return np.full(n_sets, np.nan), True
    rows, cols = medoids_in_rows(medoid_sets, start, start + len(chunk))
    total = np.zeros(n_sets)
    for a, b, d in distance_chunks(chunk, centers, metric, metric_params):
        here = (rows >= a) & (rows < b)
        d[rows[here] - a, cols[here]] = 0.0
        total += d.reshape(len(d), n_sets, k).min(axis=2).sum(axis=0)
    return total, False


def _chunk_labels(chunk, centers, metric, metric_params, medoids=None, block_info=None):
    labels = nearest_medoid(np.asarray(chunk), centers, metric, metric_params)[0]
    if medoids is not None and block_info is not None:
        own_cluster(labels, None, medoids, start=block_info[0]["array-location"][0][0])
    return labels


def _chunk_transform(chunk, centers, metric, metric_params):
    chunk = np.asarray(chunk)
    if chunk.shape[0] == 0:
        return np.empty((0, len(centers)))
    return pairwise_distances(chunk, centers, metric=metric, **(metric_params or {}))


class DaskCLARA(_MedoidEstimator):
    """CLARA on a Dask array: samples clustered in parallel, judged in one pass.

    1. All ``n_sampling_iter`` samples are drawn on the client from one seeded generator
       (sorted row indices) and only those rows are gathered;
    2. every sample is clustered as a Dask task with the same kernels as
       :class:`clusterkit.CLARA` (one thread per task: the workers own the parallelism);
    3. **one** pass over the data judges every sample's medoids: each chunk computes its
       distances to all candidate medoids and returns per-sample partial losses, summed on
       the client; the best sample wins.

    The data is never gathered on the client and no n x n matrix is built. With the same
    ``random_state``, the medoids equal those of ``CLARA(..., sampling="independent")``.

    Parameters
    ----------
    n_clusters : int, default=8
    method : {"fasterpam", "fastpam2", "pam"}, default="fasterpam"
    init : {"build", "lab", "random", "k-medoids++"}, default="build"
    n_sampling : int, default=None
        Sample size (default 80 + 4k, or 40 + 2k for ``"pam"``, capped at n).
    n_sampling_iter : int, default=5
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` (not "precomputed").
    metric_params : dict, default=None
    max_iter : int, default=300
    retries : int, default=2
        How often Dask may re-run a failed task (e.g. a lost worker) on a distributed
        scheduler; a re-run gives the same result.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    labels_ : dask.array.Array of shape (n_samples,)
        Lazy: computed chunk by chunk when needed.
    medoid_indices_ : ndarray of shape (n_clusters,)
        Global row indices of the medoids.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    inertia_ : float
        Loss of all n objects for the best medoids.
    sample_losses_ : ndarray of shape (n_sampling_iter,)
    best_sample_ : int
    sample_indices_ : ndarray of shape (n_sampling,)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from clusterkit.dask import DaskCLARA
    >>> X = da.from_array(np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0.]]),
    ...                   chunks=3)
    >>> clara = DaskCLARA(n_clusters=2, random_state=0).fit(X)
    >>> clara.labels_.compute()
    array([0, 0, 0, 1, 1, 1])
    """

    _parameter_constraints = {
        **_MedoidEstimator._parameter_constraints,
        "method": [StrOptions(set(CLARA_METHODS))],
        "init": [StrOptions(set(INITS))],
        "n_sampling": [Interval(Integral, 1, None, closed="left"), None],
        "n_sampling_iter": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "retries": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, method="fasterpam", init="build", n_sampling=None,
                 n_sampling_iter=5, metric="euclidean", metric_params=None, max_iter=300,
                 retries=2, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.method = method
        self.init = init
        self.n_sampling = n_sampling
        self.n_sampling_iter = n_sampling_iter
        self.metric = metric
        self.metric_params = metric_params
        self.max_iter = max_iter
        self.retries = retries
        self.random_state = random_state
        self.verbose = verbose

    def _as_dask(self, X):
        return _as_dask_array(X, type(self).__name__)

    def _compute(self, *args):
        dask, _ = _import_dask()
        try:
            from distributed import default_client
            default_client()
            return dask.compute(*args, retries=self.retries)
        except (ImportError, ValueError):
            return dask.compute(*args)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster the samples in parallel and keep the best medoids.

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_samples, n_features)
            A NumPy array is chunked by dask's rule (``chunks=("auto", -1)``).
        y : Ignored

        Returns
        -------
        self : DaskCLARA
        """
        dask, da = _import_dask()
        if self.metric == "precomputed":
            raise ValueError("DaskCLARA computes distances from the features; "
                             "metric='precomputed' is not supported.")
        log = reporter(self)
        X = self._as_dask(X)
        n, d = X.shape
        if n == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape=(0, {d})) while a minimum "
                             "of 1 is required.")
        k = check_n_clusters(self.n_clusters, n)
        s = default_sample_size(self.method, n, k, self.n_sampling)
        rng = check_random_state(self.random_state)
        samples, seeds = draw_independent_samples(rng, n, s, self.n_sampling_iter)

        # 1. gather only the sampled rows
        wanted = np.unique(np.concatenate(samples))
        (gathered,) = self._compute(X[wanted])
        gathered = np.asarray(gathered)
        if not np.all(np.isfinite(gathered)):
            raise ValueError("Input X contains NaN or infinity.")
        where = {int(r): i for i, r in enumerate(wanted)}
        log.done(f"gathered {len(wanted)} sampled rows of {n}")

        # 2. cluster the samples as parallel tasks (one thread each)
        t1 = time.perf_counter()
        tasks = []
        for rows, seed in zip(samples, seeds):
            Xs = gathered[[where[int(r)] for r in rows]]
            tasks.append(dask.delayed(_cluster_one, pure=True)(
                Xs, k, self.method, self.init, self.max_iter, int(seed), self.metric,
                self.metric_params))
        local = self._compute(*tasks)
        medoid_sets = [rows[res] for rows, res in zip(samples, local)]
        log(f"clustered {len(samples)} samples of {s}", since=t1)

        # 3. one pass over the data judges every candidate medoid set
        t1 = time.perf_counter()
        centers = np.concatenate([gathered[[where[int(m)] for m in meds]]
                                  for meds in medoid_sets])
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]])
        sets = np.array(medoid_sets, dtype=np.intp)
        parts = [dask.delayed(_chunk_losses, pure=True)(blk, int(a), centers, sets,
                                                       self.metric, self.metric_params)
                 for blk, a in zip(X.to_delayed().ravel(), starts)]
        results = self._compute(*parts)
        if any(bad for _, bad in results):
            raise ValueError("Input X contains NaN or infinity.")
        losses = np.sum([r for r, _ in results], axis=0)
        best = int(np.argmin(losses))
        log(f"judged {len(samples)} medoid sets in one pass; best sample {best}", since=t1)

        self.n_features_in_ = d
        self.medoid_indices_ = np.asarray(medoid_sets[best], dtype=np.intp)
        self.cluster_centers_ = centers[best * k:(best + 1) * k]
        self.inertia_ = float(losses[best])
        self.sample_losses_ = losses
        self.best_sample_ = best
        self.sample_indices_ = samples[best]
        self._n_features_out = k
        self.labels_ = X.map_blocks(_chunk_labels, self.cluster_centers_, self.metric,
                                    self.metric_params, self.medoid_indices_, dtype=np.intp,
                                    drop_axis=1)
        log.done(f"done: loss {self.inertia_:.6g}")
        return self

    def _check_query(self, X):
        check_is_fitted(self)
        _, da = _import_dask()
        lazy = isinstance(X, da.Array)
        X = self._as_dask(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but DaskCLARA was fitted with "
                             f"{self.n_features_in_}.")
        return X, lazy

    def predict(self, X):
        """Nearest medoid (0..k-1) of every row, chunk by chunk.

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_queries, n_features)

        Returns
        -------
        labels : dask.array.Array or ndarray of shape (n_queries,)
            A lazy dask array for dask input, a NumPy array otherwise.
        """
        X, lazy = self._check_query(X)
        out = X.map_blocks(_chunk_labels, self.cluster_centers_, self.metric,
                           self.metric_params, dtype=np.intp, drop_axis=1)
        return out if lazy else out.compute()

    def transform(self, X):
        """Distances of every row to every medoid, chunk by chunk.

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_queries, n_features)

        Returns
        -------
        distances : dask.array.Array or ndarray of shape (n_queries, k)
            A lazy dask array for dask input, a NumPy array otherwise.
        """
        X, lazy = self._check_query(X)
        k = len(self.medoid_indices_)
        out = X.map_blocks(_chunk_transform, self.cluster_centers_, self.metric,
                           self.metric_params, dtype=np.float64, chunks=(X.chunks[0], (k,)))
        return out if lazy else out.compute()

    def score(self, X, y=None):
        """Opposite of the sum of distances of X to its nearest medoids.

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_queries, n_features)
        y : Ignored

        Returns
        -------
        score : float
        """
        return -float(self.transform(X).min(axis=1).sum())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _cluster_one(Xs, k, method, init, max_iter, seed, metric, metric_params):
    """One sample's clustering (a Dask task): local medoid positions."""
    Ds = pairwise_dissimilarity(Xs, metric, metric_params)
    return cluster_sample(Ds, None, k, method, init, max_iter, seed, 1).medoids


def _chunk_codebook(block, n_cells, covariance_type):
    block = np.asarray(block)
    if not np.all(np.isfinite(block)):
        raise ValueError("Input X contains NaN or infinity.")
    d = block.shape[1]
    if block.shape[0] == 0:  # an empty chunk contributes no cell
        full = covariance_type in ("full", "tied")
        return np.empty((0, d)), np.empty(0), np.empty((0, d, d) if full else (0, d))
    return build_codebook(block, min(n_cells, block.shape[0]), covariance_type)


class DaskPPP(PPP):
    """PPP on a Dask array: the codebook is built chunk by chunk, the rest is PPP.

    Every chunk summarises its rows by a tree-structured codebook (cell counts, means and
    within-cell scatter, as :class:`clusterkit.PPP` does on the whole data); the client
    merges the chunks' cells into ``n_codebook`` cells with the same splitting rule (cells
    are never divided, so counts, means and scatter stay exact) and runs PPP's splitting,
    validation and final mixture on that codebook unchanged. ``labels_`` stays a lazy dask
    array; ``predict`` and friends work on NumPy or dask input.

    Data with at most 20 000 rows (and ``reduce=False``) is gathered and fitted exactly as
    :class:`clusterkit.PPP` does, so both give the same result there; above that, the
    two-level codebook differs from the in-memory one cell by cell, and the partitions
    agree on clearly separated clusters (see the tests).

    Parameters are those of :class:`clusterkit.PPP`.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from sklearn.datasets import make_blobs
    >>> from clusterkit.dask import DaskPPP
    >>> X, _ = make_blobs(30000, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    >>> ppp = DaskPPP().fit(da.from_array(X, chunks=10000))
    >>> ppp.n_clusters_
    3
    """

    def fit(self, X, y=None):
        """Find the clusters of a dask array (or a NumPy array, which is chunked).

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : DaskPPP
        """
        dask, _ = _import_dask()
        X = _as_dask_array(X, "DaskPPP")
        n, d = X.shape
        if not self._uses_codebook(n):
            # small data: gather it and fit exactly as in memory
            PPP.fit(self, X.compute())
            return self
        self._validate_params()
        if n < 2:
            raise ValueError(f"PPP needs at least 2 samples, got {n}.")
        self.n_features_in_ = d
        self._check_data_params(n, d)
        log = reporter(self)
        t0 = time.perf_counter()
        # every chunk gets as many cells as the final codebook: a chunk's cells must be
        # fine enough not to straddle clusters, since merging never divides a cell
        parts = [dask.delayed(_chunk_codebook, pure=True)(blk, self.n_codebook,
                                                          self.covariance_type)
                 for blk in X.to_delayed().ravel()]
        (parts,) = dask.compute(parts)
        means = np.concatenate([p[0] for p in parts])
        counts = np.concatenate([p[1] for p in parts])
        scatter = np.concatenate([p[2] for p in parts])
        points, weights, scatter = merge_codebooks(means, counts, scatter, self.n_codebook)
        log(f"codebook of {points.shape[0]} cells from {len(parts)} chunks", since=t0)
        return self._fit_summary(X, points, weights, scatter, True, log)

    def _label_training_data(self, X, n_components):
        _, da = _import_dask()
        if not isinstance(X, da.Array):
            return super()._label_training_data(X, n_components)
        labels = X.map_blocks(_ppp_block_labels, self._predictor(), dtype=np.intp,
                              drop_axis=1)
        counts = da.bincount(labels, minlength=n_components).compute()
        return labels, counts

    def _predictor(self):
        """A copy that carries the fitted mixture but not the lazy ``labels_`` (tasks must
        not embed another task graph)."""
        light = copy.copy(self)
        light.__dict__.pop("labels_", None)
        return light

    def _lazy(self, X, fn, **kw):
        _, da = _import_dask()
        if isinstance(X, da.Array):
            return X.map_blocks(fn, self._predictor(), **kw)
        return None

    def predict(self, X):
        """Most probable cluster of each sample (lazy for dask input).

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : dask.array.Array or ndarray of shape (n_samples,)
        """
        out = self._lazy(X, _ppp_block_labels, dtype=np.intp, drop_axis=1)
        return super().predict(X) if out is None else out


def _ppp_block_labels(block, est):
    block = np.asarray(block)
    if block.shape[0] == 0:
        return np.empty(0, dtype=np.intp)
    return PPP.predict(est, block)
