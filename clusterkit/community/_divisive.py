"""Top-down hierarchical community detection: recursive regularized spectral bipartition
(Li, Lei, Bhattacharyya, Sarkar, Bickel, Levina), the baseline of the bottom-up method."""
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .._utils._hierarchy import (
    count_inversions,
    relabel_by_first_appearance,
    split_tree_linkage,
)
from ._base import BaseCommunityTree
from ._spectral import bethe_hessian_spectrum, regularized_bipartition

__all__ = ["DivisiveCommunities"]


class _Split:
    """A node of the split tree: a leaf (``children is None``) or a bipartition."""

    __slots__ = ("nodes", "children", "density")

    def __init__(self, nodes):
        self.nodes = nodes
        self.children = None
        self.density = None


class DivisiveCommunities(BaseCommunityTree):
    """Top-down hierarchical community detection by recursive spectral bipartition.

    Every node set is split in two by regularized spectral clustering (the two leading
    eigenvectors of ``D_tau^{-1/2} A_tau D_tau^{-1/2}`` with
    ``A_tau = A + tau * mean_degree / n``, row-normalised, then 2-means), and splitting
    goes on while the Bethe-Hessian of the induced subgraph has at least two negative
    eigenvalues. The splits, ordered by the edge density between their two halves, give
    the tree. Unlike bottom-up merging, nothing forces a split to be sparser than the
    splits below it: the tree can contain *inversions*, which this estimator reports.

    Parameters
    ----------
    n_communities : int, default=None
        ``None`` uses the Bethe-Hessian stopping rule. An integer ignores it and splits the
        largest leaf (lowest first node on ties) until there are ``n_communities`` leaves
        (or no leaf can be split).
    tau : float, default=0.1
        Regularization of the spectral bipartition.
    min_size : int, default=2
        Node sets smaller than this are never split.
    n_init : int, default=10
        Number of 2-means restarts per split.
    weight : str or None, default="weight"
        Edge attribute holding the weights of a networkx graph; ``None`` ignores weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigen-solvers and 2-means.
    verbose : int, default=0
        Print the graph and every split, with times, when positive.

    Attributes
    ----------
    labels_ : ndarray of shape (n_nodes,)
        Bottom community (leaf of the split tree) of every node, numbered by first node;
        isolated nodes get -1.
    n_communities_ : int
        Number of leaves (``K`` in the shapes below).
    linkage_ : ndarray of shape (K - 1, 4)
        The split tree in scipy's linkage format over the leaves. The height of a split is
        ``1 - density / w_max`` (``density`` the edge weight between its halves over the
        number of node pairs, ``w_max`` the largest edge weight), raised where needed to
        the height of its highest child split so that heights never decrease (scipy's
        dendrogram needs that); the raw values are in ``split_densities_``. Connected
        components are joined at height 1, at the top of the tree.
    split_densities_ : ndarray of shape (K - 1,)
        Edge density between the two halves of each split, row by row of ``linkage_``.
    n_inversions_ : int
        Number of (split, child split) pairs where the child split is *sparser* than its
        parent, so a density-ordered tree would merge the parent first; see
        :func:`count_inversions`.
    nodes_ : list or None
        Node order of a networkx input graph; None for matrix input.

    See Also
    --------
    AgglomerativeCommunities : the bottom-up method, which is never worse on HSBMs.

    Notes
    -----
    The Bethe-Hessian uses variance-corrected degrees ``d_i (1 - d_i / (n - 1))`` and
    counts eigenvalues below a small margin (the Tracy-Widom scale of the bulk edge) as
    negative, so that it also works on dense graphs and finds one community in a graph
    without structure; see the user guide for why.

    Self-loops are ignored, asymmetric matrices and directed graphs are rejected.
    Disconnected graphs are first split into their connected components.

    References
    ----------
    T. Li, L. Lei, S. Bhattacharyya, K. Van den Berge, P. Sarkar, P. J. Bickel,
    E. Levina, "Hierarchical community detection by recursive partitioning", JASA 2022.

    Examples
    --------
    >>> from clusterkit.datasets import make_hsbm
    >>> from clusterkit.community import DivisiveCommunities
    >>> A, levels = make_hsbm(2, 2, 60, p=[0.02, 0.1, 0.5], random_state=0)
    >>> model = DivisiveCommunities(random_state=0).fit(A)
    >>> model.n_communities_, model.n_inversions_
    (4, 0)
    """

    _parameter_constraints = {
        **BaseCommunityTree._parameter_constraints,
        "tau": [Interval(Real, 0, None, closed="left")],
        "min_size": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(self, *, n_communities=None, tau=0.1, min_size=2, n_init=10,
                 weight="weight", random_state=None, verbose=0):
        self.n_communities = n_communities
        self.tau = tau
        self.min_size = min_size
        self.n_init = n_init
        self.weight = weight
        self.random_state = random_state
        self.verbose = verbose

    def _try_split(self, split, graph, rng, use_rule):
        nodes = split.nodes
        if nodes.size < max(self.min_size, 2):
            return False
        sub = graph.spectral[nodes][:, nodes]
        if use_rule and bethe_hessian_spectrum(sub, rng, max_k=2) < 2:
            return False
        side = regularized_bipartition(sub, rng, tau=self.tau, n_init=self.n_init)
        left, right = nodes[side == side[0]], nodes[side != side[0]]
        if left.size == 0 or right.size == 0:
            return False
        w = graph.adjacency[left][:, right].sum()
        split.children = (_Split(left), _Split(right))
        split.density = float(w) / (left.size * right.size)
        return True

    def _fit(self, graph, rng, log):
        """Split recursively (by the Bethe-Hessian rule or up to ``n_communities``), then
        lay the split tree out as a linkage."""
        roots = [_Split(c) for c in graph.components]
        if self.n_communities is None:
            stack = list(reversed(roots))
            while stack:
                s = stack.pop()
                if self._try_split(s, graph, rng, use_rule=True):
                    log.done(f"split {s.nodes.size} nodes into {s.children[0].nodes.size} + "
                             f"{s.children[1].nodes.size}, density {s.density:.4g}")
                    stack.extend(reversed(s.children))
        else:
            leaves = list(roots)
            blocked = set()
            while len(leaves) < self.n_communities:
                cands = [s for s in leaves if id(s) not in blocked]
                if not cands:
                    break
                s = max(cands, key=lambda s: (s.nodes.size, -s.nodes[0]))
                if self._try_split(s, graph, rng, use_rule=False):
                    leaves.remove(s)
                    leaves.extend(s.children)
                    log.done(f"split {s.nodes.size} nodes, density {s.density:.4g}")
                else:
                    blocked.add(id(s))
        self._build_tree(roots, graph)

    def _build_tree(self, roots, graph):
        """The split tree as a linkage; connected components joined at height 1.

        Tree nodes are numbered breadth first, components first; one virtual node per
        extra component joins them left to right at height 1 (no edge between them). The
        leaves are numbered by their first node.
        """
        splits = list(roots)
        left, right = [-1] * len(splits), [-1] * len(splits)
        t = 0
        while t < len(splits):
            if splits[t].children is not None:
                left[t], right[t] = len(splits), len(splits) + 1
                splits.extend(splits[t].children)
                left.extend([-1, -1])
                right.extend([-1, -1])
            t += 1
        density = [0.0 if s.children is None else s.density for s in splits]
        height = [1.0 - d / graph.scale for d in density]
        top = 0
        for r in range(1, len(roots)):
            left.append(top)
            right.append(r)
            density.append(0.0)
            height.append(1.0)
            top = len(left) - 1
        leaves = [t for t, s in enumerate(splits) if s.children is None]
        labels = np.full(graph.n_nodes, -1, dtype=np.intp)
        for k, t in enumerate(leaves):
            labels[splits[t].nodes] = k
        labels, new_of = relabel_by_first_appearance(labels, return_mapping=True)
        leaf_id = np.full(len(left), -1, dtype=np.intp)
        leaf_id[leaves] = new_of
        Z, merge_node = split_tree_linkage(left, right, height, leaf_id, root=top)
        # inversions are counted on the raw heights of the same rows
        raw = Z.copy()
        raw[:, 2] = np.asarray(height)[merge_node]
        self._set_tree(labels, Z, graph)
        self.split_densities_ = np.asarray(density)[merge_node]
        self.n_inversions_ = count_inversions(raw)
