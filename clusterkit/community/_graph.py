"""Input normalisation: networkx graph | scipy sparse | dense adjacency -> CSR.

Every estimator of :mod:`clusterkit.community` calls :func:`check_adjacency` first, so the
rules below hold for all of them:

* networkx graphs: undirected only (a directed graph raises ``TypeError``); node order is
  ``list(G.nodes)``; edge weights are read from the ``weight`` attribute (1 when missing);
  multigraph edges between the same pair are summed.
* arrays and sparse matrices: square, finite, non-negative and symmetric, else ``ValueError``.
  An asymmetric matrix is an error rather than silently symmetrised: use ``(A + A.T) / 2`` or
  ``A.maximum(A.T)`` explicitly if that is what is meant.
* self-loops are dropped: they carry no information about which community a node is in and
  would only inflate its degree.
* an empty graph (no nodes) raises ``ValueError``.

:func:`validate_graph` wraps it for ``fit``: it returns a :class:`GraphInput` that also
knows the isolated nodes and the connected components, which every estimator treats
alike (isolated nodes are labelled -1, components are never mixed).
"""
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.utils.validation import validate_data

from .._utils._hierarchy import relabel_by_first_appearance

__all__ = ["check_adjacency", "connected_parts", "validate_graph", "GraphInput",
           "community_weights"]


def _is_networkx_graph(X):
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a dependency
        return False
    return isinstance(X, nx.Graph)


def check_adjacency(X, *, weight="weight"):
    """Validate a graph and return its adjacency as CSR float64 without self-loops.

    Parameters
    ----------
    X : networkx.Graph, scipy sparse matrix or array-like of shape (n_nodes, n_nodes)
        The graph.
    weight : str or None, default="weight"
        Edge attribute holding the weight for networkx input; ``None`` ignores weights.

    Returns
    -------
    adjacency : scipy.sparse.csr_array of shape (n_nodes, n_nodes)
        Symmetric, non-negative, float64, no explicit zeros, no diagonal.
    nodes : list or None
        The node order for networkx input, ``None`` otherwise.
    """
    nodes = None
    if _is_networkx_graph(X):
        import networkx as nx

        if X.is_directed():
            raise TypeError(
                "directed networkx graphs are not supported: community detection here is "
                "defined on undirected graphs; convert with G.to_undirected() first")
        nodes = list(X.nodes)
        if len(nodes) == 0:
            raise ValueError("the graph is empty (0 nodes)")
        A = nx.to_scipy_sparse_array(X, nodelist=nodes, weight=weight, dtype=np.float64,
                                     format="csr")
    elif sp.issparse(X):
        A = sp.csr_array(X, dtype=np.float64, copy=True)
    else:
        if isinstance(X, (str, bytes)) or X is None:
            raise TypeError(f"expected a networkx graph or an adjacency matrix, got "
                            f"{type(X).__name__}")
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"expected a networkx graph or a numeric adjacency matrix, got "
                            f"{type(X).__name__}") from exc
        if arr.ndim != 2:
            raise ValueError(f"the adjacency matrix must be 2-D, got {arr.ndim} dimension(s)")
        A = sp.csr_array(arr)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"the adjacency matrix must be square, got shape {A.shape}")
    if A.shape[0] == 0:
        raise ValueError("the graph is empty (0 nodes)")
    if not np.all(np.isfinite(A.data)):
        raise ValueError("the adjacency matrix contains NaN or infinite weights")
    if np.any(A.data < 0):
        raise ValueError("Negative values in data: the adjacency matrix has negative "
                         "weights; edge weights must be non-negative")
    A.setdiag(0)
    A.eliminate_zeros()
    A.sum_duplicates()
    A.sort_indices()
    diff = A - A.T
    if diff.nnz and np.abs(diff.data).max() > 1e-10 * max(1.0, np.abs(A.data).max()):
        raise ValueError(
            "the adjacency matrix is not symmetric; these methods need an undirected "
            "graph. Symmetrise it yourself, e.g. (A + A.T) / 2 or A.maximum(A.T)")
    A.indices = A.indices.astype(np.int64, copy=False)
    A.indptr = A.indptr.astype(np.int64, copy=False)
    return A, nodes


def connected_parts(A):
    """Split the nodes into isolated nodes and connected components.

    Parameters
    ----------
    A : csr_array of shape (n_nodes, n_nodes)
        Adjacency from :func:`check_adjacency`.

    Returns
    -------
    isolated : ndarray of bool of shape (n_nodes,)
        Nodes without any edge.
    components : list of ndarray of int
        Sorted node indices of each connected component with at least one edge; the
        components are ordered by their smallest node index.
    """
    degree = np.diff(A.indptr)
    isolated = degree == 0
    _, comp = connected_components(A, directed=False)
    idx = np.flatnonzero(~isolated)
    if idx.size == 0:
        return isolated, []
    # numbered by first node, so the order does not depend on scipy's numbering
    ranks = relabel_by_first_appearance(comp[idx])
    n_components = int(ranks.max()) + 1
    sort = np.argsort(ranks, kind="stable")
    bounds = np.searchsorted(ranks[sort], np.arange(n_components + 1))
    return isolated, [idx[sort[bounds[k]:bounds[k + 1]]] for k in range(n_components)]


def validate_graph(estimator, X, weight):
    """Validate the input of ``estimator.fit`` and set ``n_features_in_``.

    Matrices go through scikit-learn's ``validate_data`` first (standard messages for NaN,
    complex or object data, empty arrays), then through :func:`check_adjacency`.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted (``validate_data`` records the input on it).
    X : networkx.Graph, scipy sparse matrix or array-like of shape (n_nodes, n_nodes)
        The graph.
    weight : str or None
        Edge attribute holding the weights of a networkx graph.

    Returns
    -------
    graph : GraphInput
    """
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"expected a networkx graph or an adjacency matrix, got "
                        f"{type(X).__name__}")
    if not _is_networkx_graph(X):
        X = validate_data(estimator, X, accept_sparse=("csr", "csc", "coo"),
                          dtype=np.float64, reset=True)
    graph = GraphInput(X, weight)
    estimator.n_features_in_ = graph.n_nodes
    return graph


class GraphInput:
    """Validated graph: adjacency, node list, isolated nodes and components.

    Parameters
    ----------
    X : networkx.Graph, scipy sparse matrix or array-like of shape (n_nodes, n_nodes)
        The graph.
    weight : str or None
        Edge attribute holding the weights of a networkx graph.

    Attributes
    ----------
    adjacency : csr_array of shape (n_nodes, n_nodes)
        From :func:`check_adjacency`.
    nodes : list or None
        Node order of a networkx graph.
    n_nodes, n_connected : int
        Number of nodes, and of nodes with at least one edge.
    isolated, components
        From :func:`connected_parts`.
    scale : float
        The largest edge weight (heights are ``1 - density / scale``).
    spectral : csr_array of shape (n_nodes, n_nodes)
        The adjacency the spectral steps see: weights over their mean.
    """

    def __init__(self, X, weight):
        self.adjacency, self.nodes = check_adjacency(X, weight=weight)
        self.n_nodes = self.adjacency.shape[0]
        self.isolated, self.components = connected_parts(self.adjacency)
        if not self.components and self.n_nodes == 1:
            raise ValueError("the graph has a single node (n_samples=1): there are no "
                             "communities to detect")
        if not self.components:
            raise ValueError(f"the graph has {self.n_nodes} node(s) but no edge (self-loops "
                             f"are ignored): there are no communities to detect")
        self.n_connected = int((~self.isolated).sum())
        self.scale = float(self.adjacency.data.max())
        # the Bethe-Hessian is not invariant to the unit of the weights: spectral steps see
        # the weights divided by their mean (a no-op for unweighted graphs)
        mean_weight = float(self.adjacency.data.mean())
        self.spectral = (self.adjacency if mean_weight == 1.0
                         else self.adjacency / mean_weight)

    def check_n_communities(self, n_communities):
        """Raise ValueError when ``n_communities`` (None: estimated) cannot be met."""
        if n_communities is None:
            return
        if n_communities > self.n_nodes:
            raise ValueError(f"n_communities={n_communities} is larger than the number of "
                             f"nodes ({self.n_nodes})")
        if n_communities > self.n_connected:
            raise ValueError(f"n_communities={n_communities} is larger than the number of "
                             f"nodes with at least one edge ({self.n_connected}); isolated "
                             f"nodes belong to no community")
        if n_communities < len(self.components):
            raise ValueError(f"the graph has {len(self.components)} connected components, "
                             f"which are communities on their own: n_communities must be at "
                             f"least {len(self.components)} (or None)")

    def allocate(self, n_communities):
        """Split ``n_communities`` over the components: one each, the rest by size."""
        sizes = np.array([len(c) for c in self.components], dtype=np.float64)
        alloc = np.ones(len(sizes), dtype=np.int64)
        extra = n_communities - len(sizes)
        room = sizes - 1
        while extra > 0:
            share = room / room.sum() * extra
            add = np.minimum(np.floor(share).astype(np.int64), room.astype(np.int64))
            if add.sum() == 0:
                # largest remainder, lowest index on ties
                order = np.lexsort((np.arange(len(sizes)), -(share - np.floor(share))))
                order = [i for i in order if room[i] > 0]
                add[order[:extra]] = 1
            alloc += add
            room -= add
            extra -= int(add.sum())
        return alloc


def community_weights(A, labels, n_labels):
    """Total edge weight between every pair of communities (``W = P^T A P``), dense.

    ``labels`` must be in ``0..n_labels-1`` for every node counted; nodes labelled -1 are
    left out. Each undirected edge between two communities counts once in ``W[a, b]``;
    ``W[a, a]`` holds twice the weight inside ``a``.

    Parameters
    ----------
    A : sparse array of shape (n_nodes, n_nodes)
        Symmetric adjacency.
    labels : ndarray of shape (n_nodes,)
        Community of every node, -1 for nodes left out.
    n_labels : int
        Number of communities ``K``.

    Returns
    -------
    W : ndarray of shape (K, K), float64, C-contiguous
    """
    keep = labels >= 0
    idx = np.flatnonzero(keep)
    P = sp.csr_array((np.ones(idx.size), (idx, labels[idx])), shape=(A.shape[0], n_labels))
    return np.ascontiguousarray((P.T @ (A @ P)).toarray(), dtype=np.float64)
