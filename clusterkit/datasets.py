"""Synthetic data sets: the hierarchical stochastic block model (HSBM)."""
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .community import (
    _check_ancestor_depth,
    balanced_ancestor_depth,
    levels_from_ancestor_depth,
)

__all__ = ["make_hsbm", "balanced_ancestor_depth"]


def _pairs_in_block(rng, n_pairs, p):
    """Sample Binomial(n_pairs, p) distinct pair indices in ``range(n_pairs)``, O(result)."""
    m = rng.binomial(n_pairs, p)
    if m == 0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n_pairs, dtype=np.int64)
    # numpy draws without replacement in O(m) (Floyd) when m << n_pairs and by a partial
    # shuffle of O(n_pairs) = O(m / p) otherwise: both are O(number of edges) for fixed p
    return rng.choice(n_pairs, size=m, replace=False, shuffle=False).astype(np.int64)


def _triangle_index(k):
    """Map linear indices ``k`` to pairs ``(i, j)``, ``i > j``, of a strict lower triangle."""
    i = np.floor((1.0 + np.sqrt(1.0 + 8.0 * k.astype(np.float64))) / 2.0).astype(np.int64)
    # float rounding can be off by one for very large k
    i -= (i * (i - 1)) // 2 > k
    i += ((i + 1) * i) // 2 <= k
    j = k - (i * (i - 1)) // 2
    return i, j


def _propensities(theta, sizes, gen):
    """Per-node propensities, mean 1 inside every bottom community."""
    N = int(sizes.sum())
    if isinstance(theta, Real) and not isinstance(theta, bool):
        if not theta > 1:
            raise ValueError(f"theta as a tail index must be above 1 (a finite mean "
                             f"degree), got {theta!r}")
        t = gen.pareto(float(theta), size=N) + 1.0  # P(t > x) = x^-theta, x >= 1
    else:
        t = np.asarray(theta, dtype=np.float64)
        if t.shape != (N,):
            raise ValueError(f"theta must be a tail index or one propensity per node "
                             f"({N}), got shape {t.shape}")
        if not np.all(np.isfinite(t)) or np.any(t <= 0):
            raise ValueError("theta must hold finite, positive propensities")
    bottom = np.repeat(np.arange(len(sizes)), sizes)
    mean = np.bincount(bottom, weights=t) / sizes
    return t / mean[bottom]


def _pick(gen, cum, start, m):
    """``m`` nodes of one community drawn with probability proportional to propensity
    (``cum`` the cumulative propensities of the community)."""
    u = gen.random(m) * cum[-1]
    return start + np.minimum(np.searchsorted(cum, u, side="right"), cum.size - 1)


def make_hsbm(depth=3, branching=2, n_per_community=200, *, p=None, scale="probability",
              mean_degree=None, ancestor_depth=None, theta=None, random_state=None):
    """Sample a graph from a hierarchical stochastic block model.

    The bottom communities are the leaves of a rooted tree. Two nodes are linked
    independently with probability ``p[l]``, where ``l`` is the depth of the lowest common
    ancestor of their bottom communities (0 = the root, ``depth`` = same bottom community).
    Sampling draws the number of edges of each pair of bottom communities from a binomial
    law, then that many distinct node pairs: time and memory are O(number of edges), no
    ``N x N`` matrix is ever formed.

    Parameters
    ----------
    depth : int, default=3
        Depth of a balanced tree. Ignored when ``ancestor_depth`` is given.
    branching : int, default=2
        Number of children of every internal node of a balanced tree. Ignored when
        ``ancestor_depth`` is given.
    n_per_community : int or array-like of int, default=200
        Nodes per bottom community: one number for all, or one per bottom community.
    p : array-like of shape (depth + 1,)
        Edge parameter per common-ancestor depth, from the root (``p[0]``) to the bottom
        communities (``p[depth]``); read according to ``scale``. Required.
    scale : {"probability", "log", "degree"}, default="probability"
        How ``p`` is read, with ``N`` the number of nodes: ``"probability"``: edge
        probabilities; ``"log"``: the a-values of the exact-recovery regime,
        probability ``a_l log(N) / N``; ``"degree"``: the sparse regime, probability
        ``c_l / N``.
    mean_degree : float, optional
        If given, all probabilities are multiplied by one factor so that the expected mean
        degree is ``mean_degree`` (the ratios between levels are kept; ``scale`` then does
        not matter).
    ancestor_depth : array-like of shape (K, K), optional
        An arbitrary (e.g. unbalanced) tree, given by the depth of the lowest common
        ancestor of every pair of bottom communities; the diagonal holds the depth of each
        leaf. ``p`` then needs ``max(diagonal) + 1`` entries.
    theta : float or array-like of shape (N,), optional
        Degree correction (Karrer and Newman's degree-corrected block model): node ``i``
        gets a propensity ``theta_i`` and nodes ``i, j`` are linked with probability
        about ``theta_i theta_j p[l]``. A number is the tail index ``alpha > 1`` of
        Pareto propensities (``P(theta > x) = x^-alpha``: 1.5 to 3 are heavy to
        moderate tails, as in real networks); an array gives them explicitly. Either way
        they are divided by their mean inside each bottom community, so that the
        expected number of edges of every pair of communities (and ``mean_degree``) is
        the same as without correction. Sampling stays O(edges): the number of edges of
        each pair of communities is Poisson, their end nodes are drawn in proportion to
        ``theta``; repeated pairs are merged and self-loops dropped, so the probability
        of an edge is ``1 - exp(-theta_i theta_j p[l])`` and heavy tails end up with a
        somewhat lower mean degree than asked (about 26 instead of 29 at tail index
        1.8).
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same graph.

    Returns
    -------
    adjacency : scipy.sparse.csr_array of shape (N, N)
        Symmetric 0/1 adjacency (float64), no self-loops. Nodes are ordered by bottom
        community.
    levels : ndarray of shape (depth + 1, N)
        True labels at every depth: ``levels[0]`` is all zeros (the root),
        ``levels[depth]`` the bottom communities. A leaf shallower than ``l`` (unbalanced
        trees) keeps its own label at depth ``l``.

    See Also
    --------
    clusterkit.community.AgglomerativeCommunities : bottom-up recovery of the tree.
    clusterkit.community.chernoff_hellinger_levels : the exact-recovery thresholds.

    Examples
    --------
    >>> from clusterkit.datasets import make_hsbm
    >>> A, levels = make_hsbm(2, 2, 50, p=[0.02, 0.1, 0.4], random_state=0)
    >>> A.shape, levels.shape
    ((200, 200), (3, 200))
    >>> [len(set(lab)) for lab in levels]
    [1, 2, 4]

    Degree-corrected, with Pareto propensities of tail index 2:

    >>> A, levels = make_hsbm(2, 2, 500, p=[1, 4, 16], mean_degree=10, theta=2.0,
    ...                       random_state=0)
    >>> degrees = A.sum(axis=1)
    >>> bool(degrees.max() > 8 * degrees.mean())
    True
    """
    if ancestor_depth is None:
        if not isinstance(depth, Integral) or depth < 0:
            raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
        if not isinstance(branching, Integral) or branching < 1:
            raise ValueError(f"branching must be a positive integer, got {branching!r}")
        if branching ** depth > 10 ** 6:
            raise ValueError(f"branching**depth = {branching ** depth} bottom communities "
                             f"is too many")
        M = balanced_ancestor_depth(int(depth), int(branching))
    else:
        M = _check_ancestor_depth(ancestor_depth)
        depth = int(M.diagonal().max())
    K = len(M)
    sizes = np.asarray(n_per_community)
    if sizes.ndim == 0:
        sizes = np.full(K, sizes)
    if sizes.shape != (K,):
        raise ValueError(f"n_per_community must be one number or {K} numbers (one per "
                         f"bottom community), got shape {sizes.shape}")
    if not np.issubdtype(sizes.dtype, np.integer) or np.any(sizes < 1):
        raise ValueError("n_per_community must hold positive integers")
    sizes = sizes.astype(np.int64)
    N = int(sizes.sum())
    if p is None:
        raise ValueError("p (the edge parameter of every level) is required")
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (depth + 1,):
        raise ValueError(f"p must have depth + 1 = {depth + 1} entries (root first), got "
                         f"shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("p must be finite and non-negative")
    if scale == "probability":
        prob = p.copy()
    elif scale == "log":
        prob = p * np.log(N) / N
    elif scale == "degree":
        prob = p / N
    else:
        raise ValueError(f"scale must be 'probability', 'log' or 'degree', got {scale!r}")
    pairs = np.outer(sizes, sizes).astype(np.float64)
    np.fill_diagonal(pairs, sizes * (sizes - 1) / 2.0)
    iu = np.triu_indices(K)
    if mean_degree is not None:
        if not isinstance(mean_degree, Real) or not mean_degree > 0:
            raise ValueError(f"mean_degree must be positive, got {mean_degree!r}")
        expected = 2.0 * np.sum(pairs[iu] * prob[M[iu]]) / N
        if expected <= 0:
            raise ValueError("mean_degree needs at least one positive entry of p")
        prob = prob * (mean_degree / expected)
    if np.any(prob > 1.0):
        raise ValueError(f"the edge probabilities {np.round(prob, 6).tolist()} exceed 1")

    rng = check_random_state(random_state)
    gen = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
    start = np.concatenate([[0], np.cumsum(sizes)])
    rows, cols = [], []
    if theta is not None:
        t = _propensities(theta, sizes, gen)
        cums = [np.cumsum(t[start[a]:start[a + 1]]) for a in range(K)]
        for a, b in zip(*iu):
            q = prob[M[a, b]]
            if q <= 0:
                continue
            # propensities have mean 1 per community: the same expected edges as above
            lam = q * (sizes[a] * sizes[a] / 2.0 if a == b else sizes[a] * sizes[b])
            m = gen.poisson(lam)
            i = _pick(gen, cums[a], start[a], m)
            j = _pick(gen, cums[b], start[b], m)
            keep = i != j
            rows.append(i[keep])
            cols.append(j[keep])
    for a, b in zip(*iu) if theta is None else ():
        q = prob[M[a, b]]
        if q <= 0:
            continue
        if a == b:
            n_a = int(sizes[a])
            k = _pairs_in_block(gen, n_a * (n_a - 1) // 2, q)
            i, j = _triangle_index(k)
            rows.append(i + start[a])
            cols.append(j + start[a])
        else:
            n_b = int(sizes[b])
            k = _pairs_in_block(gen, int(sizes[a]) * n_b, q)
            rows.append(k // n_b + start[a])
            cols.append(k % n_b + start[b])
    r = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    data = np.ones(2 * r.size)
    A = sp.csr_array((data, (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(N, N))
    A.sum_duplicates()
    A.data[:] = 1.0  # repeated pairs of the degree-corrected sampler are one edge
    A.sort_indices()
    leaf_levels = levels_from_ancestor_depth(M)
    bottom = np.repeat(np.arange(K), sizes)
    return A, leaf_levels[:, bottom]
