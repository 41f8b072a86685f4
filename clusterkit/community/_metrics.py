"""Metrics comparing a community tree with the levels of a hierarchical SBM, and the
information-theoretic exact-recovery thresholds of the HSBM."""
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment, minimize_scalar
from sklearn.metrics import adjusted_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

from .._utils._hierarchy import count_inversions, cut_linkage
from ._graph import community_weights
from ._hsbm import _check_ancestor_depth, balanced_ancestor_depth, levels_from_ancestor_depth

__all__ = ["matched_accuracy", "exact_recovery", "hierarchy_scores", "tree_recovery",
           "count_inversions", "dasgupta_cost", "chernoff_hellinger",
           "chernoff_hellinger_levels"]


def _labels_pair(labels_true, labels_pred):
    labels_true = np.asarray(labels_true)
    labels_pred = np.asarray(labels_pred)
    if labels_true.ndim != 1 or labels_true.shape != labels_pred.shape:
        raise ValueError(f"labels_true and labels_pred must be 1-D of the same length, got "
                         f"shapes {labels_true.shape} and {labels_pred.shape}")
    if labels_true.size == 0:
        raise ValueError("the labels are empty")
    return labels_true, labels_pred


def matched_accuracy(labels_true, labels_pred):
    """Fraction of nodes correctly labelled after the best matching of the labels.

    Predicted and true communities are matched one-to-one to maximise the number of nodes
    in matched pairs (Hungarian algorithm); with different numbers of communities the
    unmatched ones count as errors.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_nodes,)

    Returns
    -------
    accuracy : float in [0, 1]

    Examples
    --------
    >>> from clusterkit.community import matched_accuracy
    >>> matched_accuracy([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> matched_accuracy([0, 0, 1, 1], [0, 0, 0, 1])
    0.75
    """
    labels_true, labels_pred = _labels_pair(labels_true, labels_pred)
    C = contingency_matrix(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(C[rows, cols].sum() / labels_true.size)


def exact_recovery(labels_true, labels_pred):
    """Whether the two labelings are the same partition (up to renaming the labels).

    Examples
    --------
    >>> from clusterkit.community import exact_recovery
    >>> exact_recovery([0, 0, 1, 2], [5, 5, 3, 4]), exact_recovery([0, 0, 1, 1], [0, 1, 1, 1])
    (True, False)
    """
    labels_true, labels_pred = _labels_pair(labels_true, labels_pred)
    C = contingency_matrix(labels_true, labels_pred, sparse=True)
    C = sp.csr_array(C)
    return bool(C.nnz == C.shape[0] == C.shape[1])


def hierarchy_scores(levels_true, levels_pred):
    """Per-level matched accuracy, adjusted mutual information and exact recovery.

    Parameters
    ----------
    levels_true : array-like of shape (n_levels, n_nodes)
        True labels at every level (e.g. ``levels[1:]`` from
        :func:`~clusterkit.datasets.make_hsbm`).
    levels_pred : array-like of shape (n_levels, n_nodes)
        Predicted labels at the same levels, typically
        ``[model.cut(len(np.unique(t))) for t in levels_true]``.

    Returns
    -------
    scores : dict
        ``"accuracy"``, ``"ami"`` (float arrays) and ``"exact"`` (bool array), one entry
        per level.

    Examples
    --------
    >>> from clusterkit.community import hierarchy_scores
    >>> s = hierarchy_scores([[0, 0, 1, 1], [0, 1, 2, 3]], [[1, 1, 0, 0], [0, 1, 2, 2]])
    >>> s["accuracy"].tolist(), s["exact"].tolist()
    ([1.0, 0.75], [True, False])
    """
    levels_true = np.atleast_2d(np.asarray(levels_true))
    levels_pred = np.atleast_2d(np.asarray(levels_pred))
    if levels_true.shape != levels_pred.shape:
        raise ValueError(f"levels_true and levels_pred must have the same shape, got "
                         f"{levels_true.shape} and {levels_pred.shape}")
    acc, ami, exact = [], [], []
    for t, p in zip(levels_true, levels_pred):
        acc.append(matched_accuracy(t, p))
        ami.append(adjusted_mutual_info_score(t, p))
        exact.append(exact_recovery(t, p))
    return {"accuracy": np.array(acc), "ami": np.array(ami), "exact": np.array(exact)}


def tree_recovery(levels_true, labels_pred, linkage):
    """Whether a community tree has the topology of the true hierarchy.

    The predicted bottom communities are matched one-to-one with the true ones (Hungarian
    algorithm on their overlaps); the tree is recovered when there are as many of each
    and, at every true level with ``k`` communities, cutting the tree into ``k`` clusters
    groups the bottom communities exactly as the truth does. (Multi-way true splits may be
    resolved by the tree in any binary order.) The bottom partition itself need not be
    exact: use :func:`exact_recovery` for that.

    Parameters
    ----------
    levels_true : array-like of shape (n_levels, n_nodes)
        True labels at every level, the last row the bottom communities.
    labels_pred : array-like of shape (n_nodes,)
        Predicted bottom communities (``labels_`` of a fitted estimator), ``0..K-1``;
        nodes labelled -1 are ignored.
    linkage : ndarray of shape (K - 1, 4)
        The predicted tree over the predicted bottom communities.

    Returns
    -------
    recovered : bool
    """
    levels_true = np.atleast_2d(np.asarray(levels_true))
    labels_pred = np.asarray(labels_pred)
    Z = np.asarray(linkage)
    keep = labels_pred >= 0
    bottom = levels_true[-1]
    true_ids, bottom_idx = np.unique(bottom, return_inverse=True)
    K = Z.shape[0] + 1
    if len(true_ids) != K or labels_pred[keep].max() + 1 != K:
        return False
    C = contingency_matrix(bottom_idx[keep], labels_pred[keep])
    rows, cols = linear_sum_assignment(C, maximize=True)
    true_of_pred = np.empty(K, dtype=np.int64)
    true_of_pred[cols] = rows
    # a representative node of every true bottom community gives its label per level
    rep = np.array([np.flatnonzero(bottom_idx == k)[0] for k in range(K)])
    for level in levels_true:
        k = len(np.unique(level))
        pred_groups = cut_linkage(Z, k)
        true_groups = level[rep[true_of_pred]]
        if not exact_recovery(true_groups, pred_groups):
            return False
    return True


def dasgupta_cost(adjacency, labels, linkage):
    """Dasgupta's cost of a community tree whose leaves are communities of nodes.

    Each bottom community is a flat (one-level) cluster of its nodes; the cost is the sum
    over edges ``(i, j)`` of ``w_ij`` times the number of nodes under the lowest cluster
    containing both. Lower is better.

    Parameters
    ----------
    adjacency : sparse matrix or ndarray of shape (n_nodes, n_nodes)
        Symmetric adjacency.
    labels : array-like of shape (n_nodes,)
        Bottom communities ``0..K-1`` (-1 for isolated nodes, which carry no edge).
    linkage : ndarray of shape (K - 1, 4)

    Returns
    -------
    cost : float
    """
    A = sp.csr_array(adjacency, dtype=np.float64)
    A.setdiag(0)
    labels = np.asarray(labels)
    Z = np.asarray(linkage)
    K = Z.shape[0] + 1
    W = community_weights(A, labels, K)
    sizes = np.bincount(labels[labels >= 0], minlength=K).astype(np.float64)
    cost = float(np.sum(np.diag(W) / 2.0 * sizes))
    members = [[k] for k in range(K)]
    n_nodes = list(sizes)
    for t in range(K - 1):
        a, b = int(Z[t, 0]), int(Z[t, 1])
        between = W[np.ix_(members[a], members[b])].sum()
        merged = n_nodes[a] + n_nodes[b]
        cost += between * merged
        members.append(members[a] + members[b])
        n_nodes.append(merged)
    return cost


def chernoff_hellinger(alpha, pi):
    """Chernoff-Hellinger divergence between every pair of communities of an SBM.

    ``CH(a, b) = sup_{t in (0, 1)} sum_c pi_c [t alpha_ac + (1 - t) alpha_bc -
    alpha_ac^t alpha_bc^(1 - t)]`` (Abbe and Sandon, 2015). With edge probabilities
    ``alpha log(N) / N``, exact recovery of the communities is possible if and only if
    the divergence of every pair exceeds 1.

    Parameters
    ----------
    alpha : array-like of shape (K, K)
        Symmetric connectivity in units of ``log(N) / N``.
    pi : array-like of shape (K,)
        Fraction of the nodes in each community.

    Returns
    -------
    divergence : ndarray of shape (K, K)
        Zero on the diagonal.

    Examples
    --------
    >>> from clusterkit.community import chernoff_hellinger
    >>> float(chernoff_hellinger([[9, 1], [1, 9]], [0.5, 0.5])[0, 1])  # (3 - 1)^2 / 2
    2.0
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    pi = np.asarray(pi, dtype=np.float64)
    K = len(pi)
    if alpha.shape != (K, K):
        raise ValueError(f"alpha must be ({K}, {K}), got {alpha.shape}")
    if np.any(alpha < 0) or np.any(pi < 0):
        raise ValueError("alpha and pi must be non-negative")
    out = np.zeros((K, K))
    for a in range(K):
        for b in range(a + 1, K):
            def neg(t, x=alpha[a], y=alpha[b]):
                return -np.sum(pi * (t * x + (1 - t) * y - x ** t * y ** (1 - t)))

            res = minimize_scalar(neg, bounds=(0.0, 1.0), method="bounded",
                                  options={"xatol": 1e-10})
            out[a, b] = out[b, a] = max(-res.fun, -neg(0.5))
    return out


def chernoff_hellinger_levels(a, *, depth=3, branching=2, ancestor_depth=None,
                              n_per_community=1):
    """Exact-recovery divergences of every level of an HSBM, bottom-up and top-down.

    For level ``l`` (1 = the children of the root, ``depth`` = the bottom communities):

    * ``bottom_up[l - 1]`` is the smallest Chernoff-Hellinger divergence between two
      bottom communities whose depth-``l`` ancestors differ. The level-``l``
      communities can be recovered exactly iff it exceeds 1, and the bottom-up method
      reaches this threshold (Dreveton et al.).
    * ``top_down[l - 1]`` is what recursive bipartition sees: the smallest divergence
      between two sibling communities of level ``k <= l`` of the averaged SBM whose blocks
      are the level-``k`` communities. It is never larger than ``bottom_up[l - 1]``; where
      it is below 1 < ``bottom_up``, top-down cannot be exact while bottom-up can.

    Parameters
    ----------
    a : array-like of shape (depth + 1,)
        a-values: edge probability ``a[l] log(N) / N`` for common-ancestor depth ``l``.
    depth, branching : int
        Balanced tree; ignored when ``ancestor_depth`` is given.
    ancestor_depth : array-like of shape (K, K), optional
        Common-ancestor depth matrix of an arbitrary tree.
    n_per_community : int or array-like of shape (K,), default=1
        Community sizes (only their proportions matter).

    Returns
    -------
    bottom_up, top_down : ndarray of shape (depth,)

    Examples
    --------
    >>> from clusterkit.community import chernoff_hellinger_levels
    >>> bu, td = chernoff_hellinger_levels([40, 70, 85, 100], depth=3, branching=2)
    >>> bool(bu[0] > 1 and td[0] > 1)
    True
    """
    M = (balanced_ancestor_depth(depth, branching) if ancestor_depth is None
         else _check_ancestor_depth(ancestor_depth))
    depth = int(M.diagonal().max())
    K = len(M)
    a = np.asarray(a, dtype=np.float64)
    if a.shape != (depth + 1,):
        raise ValueError(f"a must have depth + 1 = {depth + 1} entries, got {a.shape}")
    sizes = np.broadcast_to(np.asarray(n_per_community, dtype=np.float64), (K,))
    pi = sizes / sizes.sum()
    alpha = a[M]
    ch = chernoff_hellinger(alpha, pi)
    levels = levels_from_ancestor_depth(M)
    bottom_up = np.empty(depth)
    averaged = np.empty(depth)
    for level in range(1, depth + 1):
        lab = levels[level]
        differ = lab[:, None] != lab[None, :]
        bottom_up[level - 1] = ch[differ].min() if differ.any() else np.inf
        # averaged SBM on the level-l communities
        P = np.zeros((K, lab.max() + 1))
        P[np.arange(K), lab] = pi
        block_pi = P.sum(axis=0)
        block_alpha = (P.T @ alpha @ P) / np.outer(block_pi, block_pi)
        ch_block = chernoff_hellinger(block_alpha, block_pi)
        parent = np.zeros(lab.max() + 1, dtype=np.int64)
        parent[lab] = levels[level - 1]
        siblings = (parent[:, None] == parent[None, :]) & ~np.eye(len(parent), dtype=bool)
        averaged[level - 1] = ch_block[siblings].min() if siblings.any() else np.inf
    top_down = np.minimum.accumulate(averaged)
    return bottom_up, top_down
