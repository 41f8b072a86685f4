"""Refinement of medoids on all the data (the second phase of PAMAE, Song et al. 2017).

A sample-based search (CLARA) places each medoid well among the sample, not among the whole
cluster it serves. One refinement round fixes that locally:

1. assign every object to its nearest medoid (chunked, O(n k) distances);
2. in every cluster choose a few candidates (:func:`refine_candidates`): the current medoid,
   the ``n_near`` members nearest to it and ``n_random`` other members drawn at random;
3. judge each candidate by the weighted sum of distances to the members of its cluster
   (:func:`candidate_costs`; all members, or ``max_members`` of them drawn at random in a
   larger cluster), O(n c) distances with c = 1 + n_near + n_random;
4. make the cheapest candidate of every cluster its medoid (the current one on ties).

Rounds repeat while the loss of all n objects decreases; a round whose loss is not lower is
discarded, so refinement never increases the loss. Memory: one cluster's block of
(members x candidates) distances at a time, in the chunks of :func:`distance_chunks`.

:func:`candidate_costs` is additive over disjoint sets of rows, so a distributed caller can
compute it chunk by chunk and sum (that is the seam ``clusterkit.dask`` can use).
"""
from dataclasses import dataclass, field

import numpy as np

from .._utils._blas import single_blas_thread
from ._base import distance_chunks, nearest_medoid, own_cluster

# defaults, chosen on the benchmarks in benchmarks/bench_large_n.py (see docs/clara.rst)
N_NEAR = 16
N_RANDOM = 16
MAX_MEMBERS = 2000
MAX_ROUNDS = 10

_EPS = 1e-12  # relative improvement threshold, as in the swap kernels


@dataclass
class RefineResult:
    """Outcome of :func:`refine_medoids`."""

    medoids: np.ndarray
    labels: np.ndarray
    loss: float
    n_rounds: int
    losses: list = field(default_factory=list)


def assign(X, medoids, w, metric="euclidean", metric_params=None, precomputed=False):
    """Labels, distances and weighted loss of all rows for ``medoids`` (global rows)."""
    if precomputed:
        labels, dist = nearest_medoid(X, None, precomputed_cols=medoids)
    else:
        labels, dist = nearest_medoid(X, X[medoids], metric, metric_params)
    own_cluster(labels, dist, medoids)
    return labels, dist, float(np.dot(w, dist))


def _cluster_segments(labels, k, key=None):
    """Rows sorted by cluster (then by ``key``) and the k + 1 segment bounds."""
    order = np.lexsort((key, labels)) if key is not None else np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    return order.astype(np.intp), bounds


def refine_candidates(labels, dist, medoids, rng, n_near=N_NEAR, n_random=N_RANDOM):
    """Candidates of every cluster: its medoid first, then the ``n_near`` members nearest
    to it (lowest row on ties), then ``n_random`` of the other members at random.

    Returns
    -------
    candidates : ndarray of intp
        Global rows, grouped by cluster.
    cluster : ndarray of intp
        The cluster (slot) of each candidate.
    """
    k = len(medoids)
    order, bounds = _cluster_segments(labels, k, key=dist)
    cand, owner = [], []
    for j in range(k):
        seg = order[bounds[j]:bounds[j + 1]]
        seg = seg[seg != medoids[j]]
        near, rest = seg[:n_near], seg[n_near:]
        pick = (rng.choice(rest, size=min(n_random, len(rest)), replace=False)
                if n_random and len(rest) else rest[:0])
        c = np.concatenate([[medoids[j]], near, np.sort(pick)]).astype(np.intp)
        cand.append(c)
        owner.append(np.full(len(c), j, dtype=np.intp))
    return np.concatenate(cand), np.concatenate(owner)


def judging_rows(labels, k, rng, max_members=MAX_MEMBERS):
    """All rows, except that a cluster larger than ``max_members`` keeps that many of its
    members, drawn at random (sorted)."""
    order, bounds = _cluster_segments(labels, k)
    if max_members is None or np.diff(bounds).max() <= max_members:
        return np.arange(len(labels), dtype=np.intp)
    keep = []
    for j in range(k):
        seg = order[bounds[j]:bounds[j + 1]]
        keep.append(seg if len(seg) <= max_members
                    else rng.choice(seg, size=max_members, replace=False))
    return np.sort(np.concatenate(keep)).astype(np.intp)


def candidate_costs(X, rows, labels, w, candidates, cluster, metric="euclidean",
                    metric_params=None, precomputed=False):
    """Weighted sum of distances of each candidate to the given members of its cluster.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d), or (n, n) when precomputed
    rows : ndarray of intp
        The members to judge on (rows of X).
    labels, w : ndarray of shape (len(rows),)
        Their clusters and weights.
    candidates, cluster : ndarray of intp
        Candidate rows of X and their clusters (from :func:`refine_candidates`).
    metric, metric_params, precomputed :
        The dissimilarity.

    Returns
    -------
    costs : ndarray of float64, shape (len(candidates),)
        Additive over disjoint ``rows``: sum the costs of the chunks of a partition.
    """
    costs = np.zeros(len(candidates), dtype=np.float64)
    k = int(cluster.max()) + 1 if len(cluster) else 0
    order, bounds = _cluster_segments(np.asarray(labels), k)
    cand_order, cand_bounds = _cluster_segments(cluster, k)
    # one cluster's block is small: BLAS threads only oversubscribe a busy machine
    with single_blas_thread():
        for j in range(k):
            members = rows[order[bounds[j]:bounds[j + 1]]]
            wm = w[order[bounds[j]:bounds[j + 1]]]
            pos = cand_order[cand_bounds[j]:cand_bounds[j + 1]]
            if len(members) == 0 or len(pos) == 0:
                continue
            if precomputed:
                block = np.asarray(X[np.ix_(members, candidates[pos])], dtype=np.float64)
                costs[pos] += wm @ block
                continue
            for start, stop, block in distance_chunks(X[members], X[candidates[pos]],
                                                      metric, metric_params):
                costs[pos] += wm[start:stop] @ np.asarray(block, dtype=np.float64)
    return costs


def best_candidates(costs, candidates, cluster, medoids):
    """New medoids: in every cluster the cheapest candidate if it beats the current medoid
    (listed first) by more than a relative 1e-12, else the current medoid."""
    new = np.array(medoids, dtype=np.intp, copy=True)
    k = len(medoids)
    order, bounds = _cluster_segments(cluster, k)
    for j in range(k):
        pos = order[bounds[j]:bounds[j + 1]]
        if len(pos) < 2:
            continue
        b = int(np.argmin(costs[pos]))  # first minimum: the current medoid wins ties
        current = costs[pos[0]]
        if costs[pos[b]] < current - _EPS * abs(current):
            new[j] = candidates[pos[b]]
    return new


def refine_medoids(X, medoids, sample_weight=None, *, metric="euclidean", metric_params=None,
                   precomputed=False, max_rounds=MAX_ROUNDS, n_near=N_NEAR,
                   n_random=N_RANDOM, max_members=MAX_MEMBERS, random_state=None,
                   start=None):
    """Refine medoids on all the data, round by round, while the loss decreases.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d), or (n, n) when ``precomputed``
    medoids : array-like of int, shape (k,)
        Global rows of the starting medoids.
    sample_weight : ndarray of shape (n,) or None
    metric, metric_params :
        As in :func:`sklearn.metrics.pairwise_distances` (a callable works too).
    precomputed : bool
        X is a square dissimilarity matrix.
    max_rounds : int >= 1
        At most this many rounds (assign, choose, judge, move).
    n_near, n_random : int >= 0
        Candidates per cluster besides the medoid: its nearest members, random members.
    max_members : int >= 1 or None
        Judge a candidate on at most this many members of its cluster (None: all).
    random_state : numpy.random.RandomState
        Draws the random candidates and the judged members.
    start : (labels, dist, loss) or None
        The assignment of ``medoids`` if the caller has it already.

    Returns
    -------
    RefineResult
        ``medoids``, ``labels``, ``loss`` (never above the starting loss), ``n_rounds``
        (rounds accepted) and ``losses`` (the starting loss, then one per accepted round).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._medoids import refine_medoids
    >>> X = np.array([[0.], [1.], [2.], [10.], [11.], [12.]])
    >>> res = refine_medoids(X, [0, 5], random_state=np.random.RandomState(0))
    >>> res.medoids.tolist(), res.loss
    ([1, 4], 4.0)
    """
    if int(max_rounds) < 1:
        raise ValueError(f"max_rounds={max_rounds} must be at least 1; to skip the "
                         "refinement, do not call it (CLARA: refine=False).")
    if int(n_near) < 0 or int(n_random) < 0 or int(n_near) + int(n_random) < 1:
        raise ValueError(f"n_near={n_near} and n_random={n_random} must be >= 0 with at "
                         "least one candidate besides the medoid.")
    if max_members is not None and int(max_members) < 1:
        raise ValueError(f"max_members={max_members} must be at least 1 or None.")
    rng = random_state if random_state is not None else np.random.RandomState(0)
    n = X.shape[0]
    w = (np.ones(n) if sample_weight is None
         else np.asarray(sample_weight, dtype=np.float64))
    medoids = np.asarray(medoids, dtype=np.intp)
    k = len(medoids)
    kw = dict(metric=metric, metric_params=metric_params, precomputed=precomputed)
    labels, dist, loss = start if start is not None else assign(X, medoids, w, **kw)
    losses = [loss]
    rounds = 0
    for _ in range(int(max_rounds)):
        cand, owner = refine_candidates(labels, dist, medoids, rng, n_near, n_random)
        rows = judging_rows(labels, k, rng, max_members)
        costs = candidate_costs(X, rows, labels[rows], w[rows], cand, owner, **kw)
        new = best_candidates(costs, cand, owner, medoids)
        if np.array_equal(new, medoids):
            break
        new_labels, new_dist, new_loss = assign(X, new, w, **kw)
        if not new_loss < loss - _EPS * abs(loss):
            break  # a sampled judgement misled us, or nothing moves: keep the last round
        medoids, labels, dist, loss = new, new_labels, new_dist, new_loss
        losses.append(loss)
        rounds += 1
    return RefineResult(medoids=medoids, labels=labels, loss=loss, n_rounds=rounds,
                        losses=losses)
