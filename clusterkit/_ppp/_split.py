"""How PPP splits: the principal-axis rule, deterministic 2-means, the validation of a
node's split by Gaussian mixtures, and the growth of the split tree.

The principal-axis rule (the sign of the projection on the leading eigenvector of a scatter
matrix) serves the 2-means initialisation of a node and both codebook builders in
``_codebook``, so the three split the same way.
"""
import heapq
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from ._gmm import fit_weighted_mixture, information_criterion, n_mixture_parameters
from ._tree import PPPTree

LLOYD_MAX_ITER = 300
# EM budget of every mixture PPP fits (node validation and final mixture)
EM_TOL = 1e-3
EM_MAX_ITER = 100
# a row belongs to a child when the split's responsibility for that child exceeds this
# (its share of the row is kept; the rows below it are dropped from the child)
MIN_SHARE = 1e-3


def principal_axis(scatter):
    """Leading eigenvector of a symmetric ``(d, d)`` scatter (or covariance) matrix.

    Its sign is whatever LAPACK returns; callers use only the partition it induces.

    Parameters
    ----------
    scatter : ndarray of shape (d, d)

    Returns
    -------
    axis : ndarray of shape (d,)
        Unit vector of the largest eigenvalue.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._ppp._split import principal_axis
    >>> np.abs(principal_axis(np.array([[1.0, 0.0], [0.0, 4.0]])))
    array([0., 1.])
    """
    d = scatter.shape[0]
    _, vecs = linalg.eigh(scatter, subset_by_index=[d - 1, d - 1])
    return vecs[:, 0]


def principal_side(centred, scatter):
    """Side of every centred row across the principal axis of ``scatter``.

    Parameters
    ----------
    centred : ndarray of shape (n, d)
        Rows minus their (weighted) mean.
    scatter : ndarray of shape (d, d)
        The scatter matrix whose principal axis is used.

    Returns
    -------
    side : ndarray of bool, shape (n,)
        True where the projection on the axis is strictly positive (rows on the
        hyperplane through the mean go to the False side).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._ppp._split import principal_side
    >>> X = np.array([[-2.0, 0.1], [-1.0, 0.0], [1.0, -0.1], [2.0, 0.0]])
    >>> side = principal_side(X, X.T @ X)
    >>> bool(side[0] != side[3]), bool(side[0] == side[1]), bool(side[2] == side[3])
    (True, True, True)
    """
    return centred @ principal_axis(scatter) > 0


def two_means(X, w, max_iter=LLOYD_MAX_ITER):
    """Deterministic weighted 2-means; returns the boolean side of each row or None.

    Initialised by :func:`principal_side` on the weighted covariance (the sign of the axis
    is irrelevant: only the partition is returned), then Lloyd iterations until the
    partition no longer changes. Ties go to the ``False`` side. None means the rows cannot
    be split (no spread, or one side empty).

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
    w : ndarray of shape (n,)
        Positive row weights.
    max_iter : int, default=300
        Maximum number of Lloyd iterations.

    Returns
    -------
    side : ndarray of bool, shape (n,), or None
    """
    total = w.sum()
    mean = w @ X / total
    centred = X - mean
    cov = (centred * w[:, None]).T @ centred / total
    if not np.isfinite(cov).all() or np.trace(cov) <= 0:
        return None
    side = principal_side(centred, cov)
    for _ in range(max_iter):
        if side.all() or not side.any():
            return None
        c1 = w[side] @ X[side] / w[side].sum()
        c0 = w[~side] @ X[~side] / w[~side].sum()
        d1 = ((X - c1) ** 2).sum(axis=1)
        d0 = ((X - c0) ** 2).sum(axis=1)
        new = d1 < d0
        if np.array_equal(new, side):
            break
        side = new
    if side.all() or not side.any():
        return None
    return side


# Status of every node of the split tree (see PPPTree)
SPLIT = "split"
NO_GAIN = "no gain"
TOO_SMALL = "too small"
NO_SPREAD = "no spread"
DISAGREEMENT = "disagreement"
MAX_CLUSTERS = "max clusters"


@dataclass(frozen=True)
class SplitRule:
    """What the split of a node must pass, resolved for one fit of :class:`PPP`.

    Parameters
    ----------
    min_cluster_size : float
        Smallest weight (number of points) a child may hold.
    agreement : float or None
        When a float: smallest weighted fraction of the node on which the 2-component
        mixture's hard assignment must equal the 2-means split (an optional extra check;
        None disables it).
    criterion : {"bic", "aic"}
        Information criterion comparing one and two components.
    covariance_type : {"full", "tied", "diag", "spherical"}
        Covariance model of the mixtures.
    reg_covar : float
        Added to the covariance diagonals.
    n_total : float
        Total weight of the data.
    n_criterion : float
        Number of points the criterion counts: ``min(n_total, max_criterion_samples)``.
        Log-likelihoods are multiplied by ``n_criterion / n_total`` and the BIC penalty
        uses ``log(n_criterion)``, so a node's gain is the change of the whole model's
        criterion, evaluated as if the data were a sample of ``n_criterion`` points.
    """

    min_cluster_size: float
    agreement: object
    criterion: str
    covariance_type: str
    reg_covar: float
    n_total: float
    n_criterion: float

    @property
    def likelihood_scale(self):
        """Factor applied to log-likelihoods (1 when every point is counted)."""
        return self.n_criterion / self.n_total

    def model_criterion(self, log_likelihood, n_components, n_features):
        """The criterion (lower is better) of a mixture with this rule's counting."""
        n_params = n_mixture_parameters(n_components, n_features, self.covariance_type)
        return information_criterion(self.likelihood_scale * log_likelihood, n_params,
                                     self.n_criterion, self.criterion)


def evaluate_split(idx, share, points, weights, scatter, rule):
    """Split a node with deterministic 2-means and validate the split with mixtures.

    A 1- and a 2-component mixture are fitted on the node (the latter by EM started from
    the 2-means split). The mixture decides: the split is accepted when the criterion
    gain is positive and both components of the mixture hold ``rule.min_cluster_size``
    points (summed responsibilities); the children are the two components, each row
    shared between them by its responsibilities (which redraws the 2-means boundary
    where clusters of different shapes meet, and may depart from it widely in many
    dimensions, where mixtures separate by shape). When ``rule.agreement`` is set, the
    agreement of the mixture's hard assignment with 2-means must also reach it.

    Parameters
    ----------
    idx : ndarray of int
        Rows of ``points`` in the node.
    share : ndarray of shape (idx.size,)
        The part of each of these rows that belongs to the node, in (0, 1]: the product of
        the responsibilities of the mixtures that split the node's ancestors (1 at the
        root). A node is a soft component, not a set of whole rows: a child cut from its
        parent with hard labels is a truncated Gaussian, which its own split then
        "improves" again and again (one skewed cluster gave 60 nodes this way).
    points : ndarray of shape (n, d)
        Points, or codebook cell means.
    weights : ndarray of shape (n,)
        Row weights (cell counts).
    scatter : ndarray of shape (n, d, d) or (n, d), or None
        Within-cell scatter of the codebook cells (None for points).
    rule : SplitRule

    Returns
    -------
    result : dict
        ``size`` (weight of the node), ``status`` (``"split"`` or why not: see
        :class:`PPPTree`), ``gain``, ``gain_per_point`` (the log-likelihood gain of two
        components over one, per point of the node, unscaled) and ``agreement`` (NaN when
        the mixtures were not fitted), ``smaller_child`` (weight of the mixture's smaller
        component, NaN when not fitted), ``children`` (for a split: the rows of the larger
        child first, ties broken by the lexicographically smaller mean, so that numbering
        does not depend on the sign of the principal axis; None otherwise) as pairs
        ``(rows, share)``: the rows whose responsibility for that child exceeds
        ``MIN_SHARE`` and the share of each that the child holds.
    """
    w = weights[idx] * share
    size = w.sum()
    result = {"size": size, "gain": np.nan, "gain_per_point": np.nan,
              "agreement": np.nan, "smaller_child": np.nan, "children": None}
    if size < 2 * rule.min_cluster_size:
        return {**result, "status": TOO_SMALL}
    Xn = np.asarray(points[idx], dtype=np.float64)
    Sn = None if scatter is None else (
        scatter[idx] * share.reshape((-1,) + (1,) * (scatter.ndim - 1)))
    side = two_means(Xn, w)
    if side is None:
        return {**result, "status": NO_SPREAD}
    if min(w[side].sum(), w[~side].sum()) < rule.min_cluster_size:
        return {**result, "status": TOO_SMALL}
    d = Xn.shape[1]
    ct = rule.covariance_type
    one = fit_weighted_mixture(Xn, np.ones((idx.size, 1)), w, scatter=Sn,
                               covariance_type=ct, reg_covar=rule.reg_covar, max_iter=0)
    resp = np.column_stack([side, ~side]).astype(np.float64)
    two = fit_weighted_mixture(Xn, resp, w, scatter=Sn, covariance_type=ct,
                               reg_covar=rule.reg_covar, tol=EM_TOL, max_iter=EM_MAX_ITER)
    mixture_side = two.resp[:, 0] >= two.resp[:, 1]
    same = w[mixture_side == side].sum() / size
    soft = w @ two.resp
    result["gain"] = (rule.model_criterion(one.log_likelihood, 1, d)
                      - rule.model_criterion(two.log_likelihood, 2, d))
    result["gain_per_point"] = (two.log_likelihood - one.log_likelihood) / size
    result["agreement"] = max(same, 1.0 - same)
    result["smaller_child"] = soft.min()
    if result["gain"] <= 0:
        result["status"] = NO_GAIN
    elif result["smaller_child"] < rule.min_cluster_size:
        result["status"] = TOO_SMALL
    elif rule.agreement is not None and result["agreement"] < rule.agreement:
        result["status"] = DISAGREEMENT
    else:
        result["status"] = SPLIT
        keys = [(-soft[c], tuple((w * two.resp[:, c]) @ Xn / soft[c])) for c in (0, 1)]
        order = (0, 1) if keys[0] <= keys[1] else (1, 0)
        children = []
        for c in order:
            keep = two.resp[:, c] > MIN_SHARE
            children.append((idx[keep], share[keep] * two.resp[keep, c]))
        result["children"] = tuple(children)
    return result


def grow_tree(points, weights, scatter, rule, *, max_clusters=None, log=None):
    """Accept validated splits, largest criterion gain first, until none is left.

    Parameters
    ----------
    points, weights, scatter
        As in :func:`evaluate_split`.
    rule : SplitRule
    max_clusters : int or None, default=None
        Stop at this many leaves; the pending splits are then marked ``"max_clusters"``.
    log : callable or None, default=None
        Called with one line per examined node (a :class:`~clusterkit._utils._logging.
        Reporter`).

    Returns
    -------
    members : list of (ndarray of int, ndarray of float)
        Rows of every leaf and the share of each that the leaf holds, leaves in
        depth-first order (left before right): leaf ``c`` becomes component ``c`` of the
        initial final mixture, with those shares as responsibilities.
    tree : PPPTree
        Every examined node (its ``cluster`` numbers the leaves as ``members`` does).
    """
    nodes = []  # dicts, node id = position
    heap = []

    def add(idx, share, parent, depth):
        node = len(nodes)
        info = {"idx": idx, "share": share, "parent": parent, "depth": depth, "left": -1,
                "right": -1, **evaluate_split(idx, share, points, weights, scatter, rule)}
        nodes.append(info)
        if log is not None:
            log(f"node {node} (depth {depth}, n={info['size']:.0f}): "
                f"gain={info['gain']:.4g} per point={info['gain_per_point']:.3g} "
                f"agreement={info['agreement']:.3f} -> {info['status']}")
        if info["status"] == SPLIT:
            heapq.heappush(heap, (-info["gain"], node))
        return node

    add(np.arange(points.shape[0]), np.ones(points.shape[0]), -1, 0)
    n_leaves = 1
    while heap:
        if max_clusters is not None and n_leaves >= max_clusters:
            for _, node in heap:
                nodes[node]["status"] = MAX_CLUSTERS
            break
        _, node = heapq.heappop(heap)
        info = nodes[node]
        left, right = info.pop("children")
        info["left"] = add(*left, node, info["depth"] + 1)
        info["right"] = add(*right, node, info["depth"] + 1)
        n_leaves += 1
    for info in nodes:
        if info["status"] == SPLIT and info["left"] < 0:
            info["status"] = MAX_CLUSTERS
    # leaves in depth-first order (left before right) become clusters 0, 1, ...
    members, cluster = [], np.full(len(nodes), -1)
    stack = [0]
    while stack:
        node = stack.pop()
        if nodes[node]["left"] < 0:
            cluster[node] = len(members)
            members.append((nodes[node]["idx"], nodes[node]["share"]))
        else:
            stack.extend([nodes[node]["right"], nodes[node]["left"]])
    tree = PPPTree(
        parent=np.array([v["parent"] for v in nodes]),
        left=np.array([v["left"] for v in nodes]),
        right=np.array([v["right"] for v in nodes]),
        size=np.array([v["size"] for v in nodes]),
        depth=np.array([v["depth"] for v in nodes]),
        gain=np.array([v["gain"] for v in nodes], dtype=np.float64),
        gain_per_point=np.array([v["gain_per_point"] for v in nodes], dtype=np.float64),
        smaller_child=np.array([v["smaller_child"] for v in nodes], dtype=np.float64),
        agreement=np.array([v["agreement"] for v in nodes], dtype=np.float64),
        status=np.array([v["status"] for v in nodes], dtype=object),
        cluster=cluster,
    )
    return members, tree
