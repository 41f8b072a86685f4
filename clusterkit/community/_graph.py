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
"""
import numpy as np
import scipy.sparse as sp

__all__ = ["check_adjacency", "connected_parts"]


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

    Returns
    -------
    isolated : ndarray of bool of shape (n_nodes,)
        Nodes without any edge.
    components : list of ndarray of int
        Sorted node indices of each connected component with at least one edge; the
        components are ordered by their smallest node index.
    """
    from scipy.sparse.csgraph import connected_components

    degree = np.diff(A.indptr)
    isolated = degree == 0
    _, comp = connected_components(A, directed=False)
    idx = np.flatnonzero(~isolated)
    if idx.size == 0:
        return isolated, []
    # renumber the components by first appearance so the order does not depend on scipy
    _, first = np.unique(comp[idx], return_index=True)
    rank = np.empty(comp.max() + 1, dtype=np.int64)
    rank[comp[idx[np.sort(first)]]] = np.arange(first.size)
    ranks = rank[comp[idx]]
    sort = np.argsort(ranks, kind="stable")
    bounds = np.searchsorted(ranks[sort], np.arange(first.size + 1))
    return isolated, [idx[sort[bounds[k]:bounds[k + 1]]] for k in range(first.size)]
