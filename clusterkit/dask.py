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
    MAX_MEMBERS,
    MAX_ROUNDS,
    N_NEAR,
    N_RANDOM,
    _MedoidEstimator,
    best_candidates,
    candidate_costs,
    cluster_sample,
    default_sample_size,
    distance_chunks,
    draw_independent_samples,
    draw_keep_best_sample,
    medoids_in_rows,
    nearest_medoid,
    own_cluster,
    pairwise_dissimilarity,
    quality_sample_size,
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
        if X.ndim == 2 and X.shape[1] == 0:  # (dask's chunk rule divides by the row size)
            raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a "
                             f"minimum of 1 is required by {who}.")
        # dask's own chunk-size rule (config "array.chunk-size"), whole rows per chunk
        X = da.from_array(X, chunks=("auto", -1))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got {X.ndim} dimension(s).")
    if X.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                         f"of 1 is required by {who}.")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"X must hold numbers, got dtype {X.dtype}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})  # whole rows per chunk
    return X


_EPS = 1e-12  # relative improvement threshold, as in the refinement in memory


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


def _row_keys(rows, seed):
    """Pseudo-random 64-bit keys of global rows (splitmix64 of ``row ^ seed``).

    A row gets the same key in whatever chunk it lies, so "the m members with the smallest
    keys" is a uniform random m-subset of a cluster that does not depend on the chunking,
    and every chunk can name its share of it without knowing the other chunks.
    """
    z = np.asarray(rows).astype(np.uint64) ^ np.uint64(seed)
    z = z + np.uint64(0x9E3779B97F4A7C15)  # uint64 arrays wrap around, as splitmix64 wants
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _first_per_cluster(order, labels, k, m):
    """The first ``m`` positions of ``order`` (sorted by cluster first) in every cluster."""
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    return np.concatenate([order[bounds[j]:min(bounds[j] + m, bounds[j + 1])]
                           for j in range(k)]).astype(np.intp)


def _picks(chunk, labels, start, k, n_pick, key_seed):
    """Per cluster, the ``n_pick`` members of the chunk with the smallest keys:
    (cluster, key, global row, features), flat."""
    rows = start + np.arange(len(labels), dtype=np.intp)
    keys = _row_keys(rows, key_seed)
    sel = _first_per_cluster(np.lexsort((keys, labels)), labels, k, n_pick)
    return labels[sel], keys[sel], rows[sel], chunk[sel]


def _chunk_assign(chunk, start, centers, medoids, metric, metric_params, n_near, n_pick,
                  key_seed):
    """Assign one chunk (global rows ``start..``) to the medoids.

    Returns ``((labels, dist), summary)``: the first part stays on the worker for the next
    pass, the summary is small and goes to the client: partial loss, cluster sizes, per
    cluster the ``n_near + 1`` members nearest to its medoid (distance, row, features;
    lowest row on ties, as in memory; the medoid is among them) and, with ``key_seed``,
    :func:`_picks`. ``summary["bad"]`` reports NaN or infinity.
    """
    chunk = np.asarray(chunk)
    k = len(medoids)
    if not np.all(np.isfinite(chunk)):
        return None, {"bad": True}
    labels, dist = nearest_medoid(chunk, centers, metric, metric_params)
    own_cluster(labels, dist, medoids, start=start)
    near = _first_per_cluster(np.lexsort((dist, labels)), labels, k, n_near + 1)
    summary = {"bad": False, "loss": float(dist.sum()),
               "counts": np.bincount(labels, minlength=k),
               "near": (labels[near], dist[near], start + near, chunk[near])}
    if key_seed is not None:
        summary["picks"] = _picks(chunk, labels, start, k, n_pick, key_seed)
    return (labels, dist), summary


def _chunk_picks(chunk, assigned, start, k, n_pick, key_seed):
    """:func:`_picks` for a chunk assigned earlier (``assigned`` from :func:`_chunk_assign`)."""
    return _picks(np.asarray(chunk), assigned[0][0], start, k, n_pick, key_seed)


def _chunk_costs(chunk, assigned, ranks, cand_X, cand_cluster, metric, metric_params):
    """This chunk's share of every candidate's cost (:func:`candidate_costs` on the chunk's
    judged members; the shares of all chunks sum to the in-memory costs).

    ``ranks`` is None (judge every member) or maps a cluster to the ranks, in row order
    among the chunk's members of that cluster, of the members to judge.
    """
    chunk = np.asarray(chunk)
    labels = assigned[0][0]
    if ranks is None:
        rows = np.arange(len(labels), dtype=np.intp)
    else:
        keep = np.ones(len(labels), dtype=bool)
        order = np.argsort(labels, kind="stable")
        sorted_labels = labels[order]
        for j, r in ranks.items():
            seg = order[np.searchsorted(sorted_labels, j):np.searchsorted(sorted_labels, j + 1)]
            keep[seg] = False
            keep[seg[r]] = True
        rows = np.flatnonzero(keep)
    m = len(rows)
    both = np.concatenate([chunk[rows], np.asarray(cand_X, dtype=chunk.dtype)])
    return candidate_costs(both, np.arange(m, dtype=np.intp), labels[rows], np.ones(m),
                           m + np.arange(len(cand_X), dtype=np.intp), cand_cluster, metric,
                           metric_params)


def _judging_ranks(counts, rng, max_members):
    """Which members judge the candidates, chunk by chunk (``counts``: chunks x clusters).

    The rule and the draws of ``clusterkit._medoids.judging_rows``: every member,
    except that a cluster larger than ``max_members`` keeps that many members drawn at
    random; a draw is a set of ranks in row order over the whole cluster, which every
    chunk translates into ranks among its own members (independent of the chunking).
    """
    total = counts.sum(axis=0)
    if max_members is None or total.max() <= max_members:
        return [None] * len(counts)
    offsets = np.cumsum(counts, axis=0) - counts
    ranks = [{} for _ in range(len(counts))]
    for j in range(counts.shape[1]):
        if total[j] <= max_members:
            continue
        pos = np.sort(rng.choice(total[j], size=max_members, replace=False))
        for c in np.flatnonzero(counts[:, j]):
            lo = offsets[c, j]
            a, b = np.searchsorted(pos, [lo, lo + counts[c, j]])
            ranks[c][j] = (pos[a:b] - lo).astype(np.intp)
    return ranks


def _candidates(summaries, picks, medoids, centers, n_near, n_random):
    """Candidates of every cluster from the chunks' summaries, as
    ``clusterkit._medoids.refine_candidates`` lays them out: the medoid, its ``n_near``
    nearest members (lowest row on ties), then ``n_random`` other members in row order.

    The random members are the ones with the smallest keys (:func:`_row_keys`), a uniform
    draw like the one in memory, but not the same draw.

    Returns candidate rows, their clusters and their features.
    """
    k = len(medoids)
    nl, nd, nr, nx = (np.concatenate(p) for p in zip(*(s["near"] for s in summaries)))
    pl, pk, pr, px = (np.concatenate(p) for p in zip(*picks))
    rows, owner, feats = [], [], []
    for j in range(k):
        here = np.flatnonzero((nl == j) & (nr != medoids[j]))
        here = here[np.lexsort((nr[here], nd[here]))][:n_near]
        taken = np.concatenate([[medoids[j]], nr[here]])
        there = np.flatnonzero((pl == j) & ~np.isin(pr, taken))
        there = there[np.lexsort((pr[there], pk[there]))][:n_random]
        there = there[np.argsort(pr[there])]
        rows.append(np.concatenate([taken, pr[there]]).astype(np.intp))
        owner.append(np.full(len(rows[-1]), j, dtype=np.intp))
        feats.append(np.concatenate([centers[j:j + 1], nx[here], px[there]]))
    return np.concatenate(rows), np.concatenate(owner), np.concatenate(feats)


def _cluster_gathered(Xs, k, method, init, max_iter, seed, metric, metric_params):
    """One sample's clustering on its gathered rows (a Dask task): local medoid positions
    and their features, or (None, None) when the sample holds NaN or infinity."""
    Xs = np.asarray(Xs)
    if not np.all(np.isfinite(Xs)):
        return None, None
    local = _cluster_one(Xs, k, method, init, max_iter, seed, metric, metric_params)
    return local, Xs[local]


class DaskCLARA(_MedoidEstimator):
    """CLARA on a Dask array, at the quality of in-memory :class:`clusterkit.CLARA`.

    With the default ``sampling="keep_best"`` it runs the algorithm of the in-memory
    default, with the data left in its chunks:

    1. **keep-best samples**: ``n_sampling_iter`` samples of ``max(80 + 4k, 20k)`` rows
       (capped at n), each after the first containing the best medoids so far and starting
       its swaps from them. The rows are drawn on the client from the one seeded generator,
       in the same order and with the same draws as :class:`clusterkit.CLARA`; a task on a
       worker gathers them and clusters the sample; one pass over the chunks judges the
       sample's medoids on all n rows. The samples are therefore exactly those of
       ``CLARA(random_state=...)`` and so are ``sample_losses_`` and the best sample's
       medoids (up to the rounding of sums taken in another order).
    2. **refinement on all the data** (PAMAE's second phase, as in
       ``clusterkit._medoids.refine_medoids``), rounds of two passes over the chunks:
       the assignment pass leaves per-chunk labels and distances on the workers and sends
       the client small per-chunk summaries (partial loss, cluster sizes, every cluster's
       16 members nearest to its medoid and 33 members with the smallest pseudo-random
       keys); the client chooses the candidates (the medoid, its 16 nearest members, 16
       random members) and the judging members (all, or 2000 random members of a larger
       cluster); the cost pass sums every chunk's share of each candidate's cost
       (``candidate_costs`` is additive over rows); the cheapest candidate of every cluster
       becomes its medoid, and the round is kept only when the loss on all n rows
       decreases.

    The random candidates of step 2 are a uniform draw like the one in memory but not the
    same draw, so the final medoids can differ from ``CLARA``'s; the loss was within 0.5% of
    it on every set tested (see docs/dask.rst for the measured margins).

    ``sampling="independent", refine=False`` (``refine="auto"`` means no refinement for
    independent samples) is the paper's CLARA as this class did it before: all samples of
    80 + 4k rows drawn up front, clustered as parallel tasks, judged in one pass; it equals
    ``CLARA(sampling="independent")`` with the same ``random_state``, and is faster, 6-7%
    worse in loss at k = 100.

    **Determinism.** The same ``random_state`` gives the same result, on any scheduler and
    with any number of workers; a lost worker's tasks are recomputed with the same result.
    The result does not depend on the chunking either: every per-chunk quantity is a
    function of global rows, and the client combines them in a fixed order (up to the
    rounding of sums over chunks, which could only matter for near-exact ties).

    **Memory.** A chunk task holds its chunk, a copy of the chunk's judged rows and the
    O(33 k) candidate rows (distances are computed in sub-blocks of bounded size); a sample
    task holds its s rows and their s x s matrix; the workers keep one or two assignments
    (labels and distances, 16 bytes a row) between passes; the client holds the chunks'
    summaries (O(50 k) rows per chunk), never the data, plus the O(n) index draws that
    in-memory CLARA makes too. Every pass reads X again: persist X (``X = X.persist()``)
    if it fits the workers' memory and is expensive to produce. Chunks of 0 rows are
    skipped; chunks of unknown size are refused.

    Parameters
    ----------
    n_clusters : int, default=8
    method : {"fasterpam", "fastpam2", "pam"}, default="fasterpam"
    init : {"build", "lab", "random", "k-medoids++"}, default="build"
        Initialisation of the first sample (of every sample for ``"pam"`` and for
        independent samples).
    n_sampling : int, default=None
        Sample size, between k and n. Default: ``max(80 + 4k, 20k)`` capped at n with
        ``sampling="keep_best"``, 80 + 4k with ``"independent"``, 40 + 2k for ``"pam"``
        (the rule of :class:`clusterkit.CLARA`).
    n_sampling_iter : int, default=5
    sampling : {"keep_best", "independent"}, default="keep_best"
        ``"keep_best"``: samples one after another, each containing the best medoids so
        far. ``"independent"``: all samples drawn up front and clustered in parallel.
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` (not "precomputed").
    metric_params : dict, default=None
    max_iter : int, default=300
    refine : bool or "auto", default="auto"
        Refine the best medoids on all the data (``"auto"``: with ``sampling="keep_best"``
        only).
    refine_iter : int, default=10
        Maximum number of refinement rounds (at least 1 when refining).
    retries : int, default=2
        How often Dask may re-run a failed task on a distributed scheduler; a re-run gives
        the same result. (A task lost with its worker is always recomputed.)
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
        Loss of all n objects for the medoids (after the refinement).
    sample_loss_ : float
        Loss of all n objects for the best sample's medoids, before the refinement.
    n_refine_rounds_ : int
        Refinement rounds that lowered the loss (0 without refinement).
    sample_losses_ : ndarray of shape (n_sampling_iter,)
        Loss of all n objects for every sample's medoids, in sampling order.
    best_sample_ : int
    sample_indices_ : ndarray of shape (n_sampling,)
        The winning sample's rows.
    n_features_in_ : int

    See Also
    --------
    clusterkit.CLARA : the same algorithm in memory.

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
        "sampling": [StrOptions({"keep_best", "independent"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "refine": ["boolean", StrOptions({"auto"})],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
        "retries": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, method="fasterpam", init="build", n_sampling=None,
                 n_sampling_iter=5, sampling="keep_best", metric="euclidean",
                 metric_params=None, max_iter=300, refine="auto", refine_iter=MAX_ROUNDS,
                 retries=2, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.method = method
        self.init = init
        self.n_sampling = n_sampling
        self.n_sampling_iter = n_sampling_iter
        self.sampling = sampling
        self.metric = metric
        self.metric_params = metric_params
        self.max_iter = max_iter
        self.refine = refine
        self.refine_iter = refine_iter
        self.retries = retries
        self.random_state = random_state
        self.verbose = verbose

    def _as_dask(self, X):
        return _as_dask_array(X, type(self).__name__)

    def _scheduler_kw(self):
        try:
            from distributed import default_client
            default_client()
            return {"retries": self.retries}
        except (ImportError, ValueError):
            return {}

    def _compute(self, *args):
        dask, _ = _import_dask()
        return dask.compute(*args, **self._scheduler_kw())

    def _persist(self, *args):
        dask, _ = _import_dask()
        return dask.persist(*args, **self._scheduler_kw())

    def _refines(self):
        if self.refine == "auto":
            return self.sampling == "keep_best"
        return bool(self.refine)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster samples, keep the best medoids, refine them on all the chunks.

        Parameters
        ----------
        X : dask.array.Array or array-like of shape (n_samples, n_features)
            A NumPy array is chunked by dask's rule (``chunks=("auto", -1)``).
        y : Ignored

        Returns
        -------
        self : DaskCLARA
        """
        if self.metric == "precomputed":
            raise ValueError("DaskCLARA computes distances from the features; "
                             "metric='precomputed' is not supported.")
        log = reporter(self)
        X = self._as_dask(X)
        n, d = X.shape
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError("X has chunks of unknown size (e.g. after boolean indexing); "
                             "call X.compute_chunk_sizes() first.")
        if n == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape=(0, {d})) while a minimum "
                             "of 1 is required.")
        k = check_n_clusters(self.n_clusters, n)
        if self._refines() and self.refine_iter < 1:
            raise ValueError(f"refine_iter={self.refine_iter} must be at least 1 when "
                             "refining; pass refine=False to skip the refinement.")
        rng = check_random_state(self.random_state)
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(np.intp)
        # chunks of 0 rows hold nothing to judge: every pass skips them
        self._blocks = [(blk, int(a)) for blk, a, m in
                        zip(X.to_delayed().ravel(), starts, X.chunks[0]) if m > 0]
        try:
            if self.sampling == "keep_best":
                best = self._keep_best(X, n, k, rng, log)
            else:
                best = self._independent(X, n, k, rng, log)
            self.sample_loss_ = best["loss"]
            self.n_refine_rounds_ = 0
            if self._refines():
                t1 = time.perf_counter()
                if best.get("assigned") is None:
                    best.update(self._assign_pass(best["centers"], best["medoids"], None))
                self._refine(best, rng)
                log(f"refinement: {self.n_refine_rounds_} rounds, loss on all {n} = "
                    f"{best['loss']:.6g}", since=t1)
        finally:
            del self._blocks

        self.n_features_in_ = d
        self.medoid_indices_ = np.asarray(best["medoids"], dtype=np.intp)
        self.cluster_centers_ = np.asarray(best["centers"])
        self.inertia_ = float(best["loss"])
        self.sample_losses_ = np.asarray(best["losses"], dtype=np.float64)
        self.best_sample_ = best["it"]
        self.sample_indices_ = best["rows"]
        self._n_features_out = k
        self.labels_ = X.map_blocks(_chunk_labels, self.cluster_centers_, self.metric,
                                    self.metric_params, self.medoid_indices_, dtype=np.intp,
                                    drop_axis=1)
        log.done(f"done: loss {self.inertia_:.6g}")
        return self

    def _assign_pass(self, centers, medoids, key_seed):
        """Assign every chunk; the assignments stay on the workers (persisted), the
        summaries come to the client."""
        dask, _ = _import_dask()
        centers_d = dask.delayed(np.asarray(centers), pure=True)
        tasks = [dask.delayed(_chunk_assign, pure=True)(
            blk, a, centers_d, np.asarray(medoids, dtype=np.intp), self.metric,
            self.metric_params, N_NEAR, N_NEAR + N_RANDOM + 1, key_seed)
            for blk, a in self._blocks]
        assigned = self._persist(*tasks)
        summaries = self._compute(*[t[1] for t in assigned])
        if any(s["bad"] for s in summaries):
            raise ValueError("Input X contains NaN or infinity.")
        loss = float(np.sum([s["loss"] for s in summaries]))
        return {"assigned": assigned, "summaries": summaries, "loss": loss}

    def _keep_best(self, X, n, k, rng, log):
        """The samples of in-memory keep-best CLARA, with the same draws.

        Both draw through ``draw_keep_best_sample``; the tests also compare
        ``sample_indices_`` and ``sample_losses_`` with CLARA's.
        """
        dask, _ = _import_dask()
        s = quality_sample_size(self.method, n, k, self.n_sampling)
        best, losses = None, []
        for it in range(self.n_sampling_iter):
            t1 = time.perf_counter()
            rows, seed = draw_keep_best_sample(rng, n, s,
                                               None if best is None else best["medoids"])
            init = self.init
            if best is not None and self.method != "pam":
                init = np.searchsorted(rows, best["medoids"]).astype(np.intp)
            (local, centers), = self._compute(dask.delayed(_cluster_gathered, pure=True)(
                X[rows], k, self.method, init, self.max_iter, int(seed), self.metric,
                self.metric_params))
            if local is None:
                raise ValueError("Input X contains NaN or infinity.")
            medoids = rows[local]
            cur = self._assign_pass(centers, medoids, None)
            losses.append(cur["loss"])
            if best is None or cur["loss"] < best["loss"]:
                best = dict(cur, medoids=medoids, centers=centers, rows=rows, it=it)
            log(f"sample {it + 1}/{self.n_sampling_iter}: {s} objects, loss on all "
                f"{n} = {cur['loss']:.6g}{' (best)' if best['it'] == it else ''}", since=t1)
        best["losses"] = losses
        return best

    def _independent(self, X, n, k, rng, log):
        """All samples drawn up front and clustered in parallel, judged in one pass."""
        dask, _ = _import_dask()
        s = default_sample_size(self.method, n, k, self.n_sampling)
        samples, seeds = draw_independent_samples(rng, n, s, self.n_sampling_iter)

        # 1. gather only the sampled rows
        wanted = np.unique(np.concatenate(samples))
        (gathered,) = self._compute(X[wanted])
        gathered = np.asarray(gathered)
        if not np.all(np.isfinite(gathered)):
            raise ValueError("Input X contains NaN or infinity.")
        where = {int(r): i for i, r in enumerate(wanted)}

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
        sets = np.array(medoid_sets, dtype=np.intp)
        parts = [dask.delayed(_chunk_losses, pure=True)(blk, a, centers, sets, self.metric,
                                                       self.metric_params)
                 for blk, a in self._blocks]
        results = self._compute(*parts)
        if any(bad for _, bad in results):
            raise ValueError("Input X contains NaN or infinity.")
        losses = np.sum([r for r, _ in results], axis=0)
        best = int(np.argmin(losses))
        log(f"judged {len(samples)} medoid sets in one pass; best sample {best}", since=t1)
        return dict(medoids=medoid_sets[best], centers=centers[best * k:(best + 1) * k],
                    loss=float(losses[best]), losses=losses, it=best, rows=samples[best])

    def _refine(self, best, rng):
        """Refinement rounds over the chunks while the loss on all the data decreases."""
        dask, _ = _import_dask()
        medoids, centers = best["medoids"], best["centers"]
        assigned, summaries, loss = best["assigned"], best["summaries"], best["loss"]
        k = len(medoids)
        n_pick = N_NEAR + N_RANDOM + 1
        key_seed = int(rng.randint(np.iinfo(np.int32).max))
        picks = self._compute(*[dask.delayed(_chunk_picks, pure=True)(
            blk, t, a, k, n_pick, key_seed) for (blk, a), t in zip(self._blocks, assigned)])
        for _ in range(int(self.refine_iter)):
            cand, owner, cand_X = _candidates(summaries, picks, medoids, centers, N_NEAR,
                                              N_RANDOM)
            ranks = _judging_ranks(np.array([s["counts"] for s in summaries]), rng,
                                   MAX_MEMBERS)
            cand_d = dask.delayed(cand_X, pure=True)
            costs = np.sum(self._compute(*[dask.delayed(_chunk_costs, pure=True)(
                blk, t, r, cand_d, owner, self.metric, self.metric_params)
                for (blk, _), t, r in zip(self._blocks, assigned, ranks)]), axis=0)
            new = best_candidates(costs, cand, owner, medoids)
            if np.array_equal(new, medoids):
                break
            pos = [np.flatnonzero((cand == new[j]) & (owner == j))[0] for j in range(k)]
            new_centers = cand_X[pos]
            key_seed = int(rng.randint(np.iinfo(np.int32).max))
            cur = self._assign_pass(new_centers, new, key_seed)
            if not cur["loss"] < loss - _EPS * abs(loss):
                break  # a sampled judgement misled us, or nothing moves: keep the last round
            medoids, centers, loss = new, new_centers, cur["loss"]
            assigned, summaries = cur["assigned"], cur["summaries"]
            picks = [s["picks"] for s in summaries]
            self.n_refine_rounds_ += 1
        best.update(medoids=medoids, centers=centers, loss=loss)

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
        # the public parameters keep X's float dtype, as PPP's do
        self._fit_dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
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
