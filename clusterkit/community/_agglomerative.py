"""Bottom-up hierarchical community detection (Dreveton, Kuroda, Grossglauser, Thiran)."""
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast._community_linkage import density_average_linkage
from .._utils._hierarchy import relabel_by_first_appearance
from .._utils._memory import check_fits
from ._base import BaseCommunityTree
from ._graph import community_weights
from ._refine import refine_by_density, split_locally
from ._spectral import bethe_hessian_clustering

__all__ = ["AgglomerativeCommunities"]

# the dense K x K weight matrix of the linkage: refused above this, whatever the free
# memory
MAX_LINKAGE_BYTES = 4 * 2 ** 30


def _louvain(A, n_communities, seed, resolution):
    import networkx as nx

    G = nx.from_scipy_sparse_array(A, edge_attribute="weight")
    parts = nx.community.louvain_communities(G, weight="weight", resolution=resolution,
                                             seed=seed)
    labels = np.empty(A.shape[0], dtype=np.intp)
    for k, part in enumerate(parts):
        labels[list(part)] = k
    return labels


def _is_partition(base):
    return not isinstance(base, str) and not callable(base)


class AgglomerativeCommunities(BaseCommunityTree):
    """Bottom-up hierarchical community detection.

    First the bottom communities are found with a flat graph clustering (by default
    Bethe-Hessian spectral clustering, the number of communities estimated from its
    negative eigenvalues), then they are merged by average linkage on edge density: the
    similarity of clusters ``C`` and ``C'`` is ``w(C, C') / (|C| |C'|)``, the total weight
    of the edges between them over the number of node pairs. This is the method of
    Dreveton et al., which recovers every level of a hierarchical stochastic block model
    exactly down to the information-theoretic threshold.

    Parameters
    ----------
    n_communities : int, default=None
        Number of bottom communities. ``None`` estimates it: the number of negative
        eigenvalues of the Bethe-Hessian of each connected component (for
        ``base="bethe_hessian"``), or what the base method returns. The refinement
        sweeps (``refine``) can empty a community, so ``n_communities_`` may end up
        smaller than a given ``n_communities``.
    base : {"bethe_hessian", "louvain"}, callable or array-like of shape (n_nodes,), \
            default="bethe_hessian"
        How the bottom communities are found. ``"louvain"`` uses
        ``networkx.community.louvain_communities`` (``n_communities`` must then be None).
        A callable is called as ``base(adjacency, n_communities, seed)`` with the CSR
        adjacency of the nodes that have edges, ``n_communities`` (possibly None) and an
        integer seed, and returns one label per node. An array of integer labels, one
        per node of the graph (in the order of ``list(G.nodes)`` for a networkx graph),
        is a partition found elsewhere (Leiden, Louvain, metadata): the tree is built
        over exactly those communities (``refine`` does not apply, ``n_communities`` must
        be None); only a community that spans several connected components is split
        into its parts, and isolated nodes get -1 as always.
    resolution : float, default=1.0
        Resolution of the Louvain modularity (only for ``base="louvain"``).
    local_split : bool, default=True
        Only when the number of communities is estimated with the Bethe-Hessian: every
        bottom community whose own Bethe-Hessian has negative eigenvalues again is split
        again, recursively. Communities too weak to stand out of the spectrum of the whole
        graph often stand out in their part of it (a top-down method sees them for that
        reason); the tree is still built bottom-up from the final communities.
    degree_corrected : bool, default=False
        Only for ``base="bethe_hessian"``: embed the nodes with the eigenvectors of the
        Bethe-Hessian at ``r = zeta_p``, one ``r`` per eigenvector, where its ``p``-th
        eigenvalue is zero (Dall'Amico, Couillet and Tremblay), instead of at the ``r``
        that counts the communities. Those eigenvectors are regularised-Laplacian
        eigenvectors scaled by ``D_tau^{-1/2}`` and do not grow with the degree, which
        helps on graphs with heavy-tailed degrees; the number of communities is counted
        as without it. On weighted graphs the path runs over the coupling ``beta`` of the
        weighted Bethe-Hessian instead of ``r``. Costs about ten eigen-solves per
        community found (about 10 times the default fit on 10^4 nodes). See the user
        guide for where it helps.
    refine : int, default=1
        Sweeps of local refinement of the bottom communities: every node moves to the
        community it is most densely linked to (edge weight over community size). One
        sweep corrects the few nodes a spectral clustering puts in the wrong branch of
        the tree when the bottom level is hard, which is what makes the upper levels
        exact; 0 keeps the base clustering as it is. Not applied to a partition array
        given as ``base``.
    n_init : int, default=10
        Number of k-means restarts on the spectral embedding.
    weight : str or None, default="weight"
        Edge attribute holding the weights of a networkx graph; ``None`` ignores weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigen-solvers, k-means and Louvain.
    verbose : int, default=0
        Print the steps and their times when positive; 2 also prints every community
        that ``local_split`` splits again.

    Attributes
    ----------
    labels_ : ndarray of shape (n_nodes,)
        Bottom community of every node, numbered by first node; isolated nodes (no edge
        other than a self-loop) get -1.
    n_communities_ : int
        Number of bottom communities found (``K`` in the shapes below).
    linkage_ : ndarray of shape (K - 1, 4)
        The community tree in scipy's linkage format over the bottom communities (leaf
        ``k`` is ``labels_ == k``): merged ids, height ``1 - density / w_max`` with
        ``w_max`` the largest edge weight (1 for unweighted graphs), and the number of
        bottom communities below. Heights never decrease (no inversions). Pairs with no
        edge between them merge at height 1, so the connected components of the graph are
        joined last, at the top of the tree.
    merge_densities_ : ndarray of shape (K - 1,)
        Edge density ``w(C, C') / (|C| |C'|)`` of each merged pair.
    merge_sizes_ : ndarray of shape (K - 1,)
        Number of nodes under each merge.
    nodes_ : list or None
        Node order of a networkx input graph (``labels_[i]`` is the label of
        ``nodes_[i]``); None for matrix input.

    See Also
    --------
    DivisiveCommunities : the top-down baseline (recursive spectral bipartition).
    clusterkit.datasets.make_hsbm : hierarchical stochastic block model.

    Notes
    -----
    The Bethe-Hessian uses variance-corrected degrees ``d_i (1 - d_i / (n - 1))`` and
    counts eigenvalues below a small margin (the Tracy-Widom scale of the bulk edge) as
    negative, so that it also works on dense graphs and finds one community in a graph
    without structure; see the user guide for why.

    Self-loops are ignored, asymmetric matrices and directed graphs are rejected. With
    ``n_communities`` given and several connected components, every component gets one
    community and the others are shared in proportion to the component sizes.

    The linkage costs O(K^2) memory and, in practice, O(K^2) time for ``K`` bottom
    communities, on top of the O(edges) aggregation of the edge weights. When its
    ``K x K`` matrix would not fit, ``fit`` raises ``MemoryError`` before allocating it.

    References
    ----------
    M. Dreveton, D. Kuroda, M. Grossglauser, P. Thiran, "When does bottom-up beat top-down
    in hierarchical community detection?", arXiv:2306.00833.

    A. Saade, F. Krzakala, L. Zdeborova, "Spectral clustering of graphs with the Bethe
    Hessian", NeurIPS 2014.

    L. Dall'Amico, R. Couillet, N. Tremblay, "A unified framework for spectral
    clustering in sparse graphs", JMLR 22, 2021.

    Examples
    --------
    >>> from clusterkit.datasets import make_hsbm
    >>> from clusterkit.community import AgglomerativeCommunities
    >>> A, levels = make_hsbm(2, 2, 60, p=[0.02, 0.1, 0.5], random_state=0)
    >>> model = AgglomerativeCommunities(random_state=0).fit(A)
    >>> model.n_communities_
    4
    >>> top = model.cut(2)
    >>> bool((top == levels[1]).all() or (top == 1 - levels[1]).all())
    True
    """

    _parameter_constraints = {
        **BaseCommunityTree._parameter_constraints,
        "base": [StrOptions({"bethe_hessian", "louvain"}), callable, "array-like"],
        "resolution": [Interval(Real, 0, None, closed="neither")],
        "local_split": ["boolean"],
        "degree_corrected": ["boolean"],
        "refine": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, *, n_communities=None, base="bethe_hessian", resolution=1.0,
                 local_split=True, degree_corrected=False, refine=1, n_init=10,
                 weight="weight", random_state=None, verbose=0):
        self.n_communities = n_communities
        self.base = base
        self.resolution = resolution
        self.local_split = local_split
        self.degree_corrected = degree_corrected
        self.refine = refine
        self.n_init = n_init
        self.weight = weight
        self.random_state = random_state
        self.verbose = verbose

    def _bottom(self, graph, rng, log):
        A = graph.spectral
        n = graph.n_nodes
        labels = np.full(n, -1, dtype=np.intp)
        given = _is_partition(self.base)
        if self.degree_corrected and (given or self.base != "bethe_hessian"):
            raise ValueError("degree_corrected=True applies to base='bethe_hessian' only; "
                             "the given base finds the communities itself.")
        if given:
            labels = self._check_partition(graph)
            log.done(f"given partition: {len(np.unique(labels[labels >= 0]))} communities")
        elif self.base == "bethe_hessian":
            comps = graph.components
            counts = ([None] * len(comps) if self.n_communities is None
                      else graph.allocate(self.n_communities))
            offset = 0
            for c, k in zip(comps, counts):
                sub = A[c][:, c]
                found = bethe_hessian_clustering(sub, rng, None if k is None else int(k),
                                                 n_init=self.n_init,
                                                 degree_corrected=self.degree_corrected,
                                                 log=log)
                if c.size > 1000:
                    log.done(f"Bethe-Hessian clustering of a component of {c.size} nodes: "
                             f"{int(found.max()) + 1} communities")
                if k is None and self.local_split:
                    found = split_locally(sub, found, rng, n_init=self.n_init, log=log,
                                          degree_corrected=self.degree_corrected)
                    if c.size > 1000:
                        log.done(f"local splits: {int(found.max()) + 1} communities")
                del sub
                labels[c] = offset + found
                offset += int(found.max()) + 1
            log.done(f"Bethe-Hessian clustering: {offset} bottom communities")
        else:
            if self.base == "louvain" and self.n_communities is not None:
                raise ValueError("n_communities cannot be set with base='louvain': Louvain "
                                 "chooses the number of communities (tune `resolution`)")
            keep = np.flatnonzero(~graph.isolated)
            sub = A[keep][:, keep]
            seed = int(rng.randint(np.iinfo(np.int32).max))
            if self.base == "louvain":
                found = _louvain(sub, None, seed, self.resolution)
            else:
                found = np.asarray(self.base(sub, self.n_communities, seed))
                if found.shape != (keep.size,):
                    raise ValueError(f"the base callable returned labels of shape "
                                     f"{found.shape}, expected ({keep.size},)")
                if not np.issubdtype(found.dtype, np.integer) or found.min() < 0:
                    raise ValueError("the base callable must return non-negative integer "
                                     "labels")
            labels[keep] = found
            log.done(f"{self.base if isinstance(self.base, str) else 'base callable'}: "
                     f"{len(np.unique(found))} communities")
        # a community never spans two connected components
        comp_of = np.full(n, -1, dtype=np.int64)
        for k, c in enumerate(graph.components):
            comp_of[c] = k
        keyed = np.where(labels >= 0, comp_of * (labels.max() + 1) + labels, -1)
        labels = relabel_by_first_appearance(keyed)
        if self.refine and not given:
            # nodes only have edges inside their component, so refinement keeps them there
            keep = np.flatnonzero(labels >= 0)
            labels[keep] = refine_by_density(A[keep][:, keep], labels[keep], self.refine)
            labels = relabel_by_first_appearance(labels)
            log.done(f"refinement: {int(labels.max()) + 1} bottom communities")
        return labels

    def _check_partition(self, graph):
        """The ``base`` partition array, checked against the graph; -1 on isolated nodes."""
        if self.n_communities is not None:
            raise ValueError("n_communities cannot be set with a partition as base: the "
                             "partition gives the communities")
        labels = np.asarray(self.base)
        if labels.ndim != 1:
            raise ValueError(f"base must be a 1-D array of labels (one per node), got an "
                             f"array of shape {labels.shape}")
        if labels.shape[0] != graph.n_nodes:
            raise ValueError(f"base has {labels.shape[0]} labels but the graph has "
                             f"{graph.n_nodes} nodes: give one label per node")
        if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"base must hold integer community labels, got dtype "
                             f"{labels.dtype}")
        if labels.size and labels.min() < 0:
            raise ValueError("base must hold non-negative community labels")
        labels = labels.astype(np.intp)
        labels[graph.isolated] = -1
        return relabel_by_first_appearance(labels)

    def _fit(self, graph, rng, log):
        """Bottom communities, then the density linkage over them."""
        labels = self._bottom(graph, rng, log)
        K = int(labels.max()) + 1
        check_fits(8 * K * K, f"The linkage of {K} bottom communities",
                   "ask for fewer communities (n_communities), or let fewer be found "
                   "(local_split=False, or base='louvain' with a lower resolution).",
                   limit=MAX_LINKAGE_BYTES)
        W = community_weights(graph.adjacency, labels, K)
        sizes = np.bincount(labels[labels >= 0], minlength=K).astype(np.float64)
        Z, densities, merge_sizes = density_average_linkage(W, sizes, graph.scale)
        log.done(f"density linkage of {K} communities")
        self._set_tree(labels, Z, graph)
        self.merge_densities_ = densities
        self.merge_sizes_ = merge_sizes
