"""What both estimators share once the bottom communities are known: splitting the graph
into its parts, the tree cut, and the common fitted attributes."""
import numpy as np

from ._graph import _is_networkx_graph, check_adjacency, connected_parts

__all__ = ["cut_linkage", "count_inversions", "validate_graph", "CommunityTreeMixin"]


def cut_linkage(linkage, n_clusters):
    """Cut a scipy linkage over ``K`` leaves into exactly ``n_clusters`` clusters.

    The first ``K - n_clusters`` merges are applied (so ties in height never change the
    number of clusters, unlike ``fcluster(..., criterion="maxclust")``). Clusters are
    numbered by their smallest leaf.

    Returns
    -------
    leaf_labels : ndarray of shape (K,)
    """
    Z = np.asarray(linkage)
    K = Z.shape[0] + 1
    if not 1 <= n_clusters <= K:
        raise ValueError(f"n_clusters must be between 1 and {K}, got {n_clusters}")
    parent = np.arange(2 * K - 1)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in range(K - n_clusters):
        a, b = int(Z[t, 0]), int(Z[t, 1])
        parent[find(a)] = K + t
        parent[find(b)] = K + t
    roots = np.array([find(i) for i in range(K)])
    _, labels = np.unique(roots, return_inverse=True)
    # renumber by smallest leaf
    first = np.full(labels.max() + 1, K)
    np.minimum.at(first, labels, np.arange(K))
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    return rank[labels]


def count_inversions(linkage):
    """Number of merges lower than one of their children (pairs parent/child counted).

    A valid tree of nested communities merges a cluster no earlier than its parts, so the
    height of a merge is at least the heights of the merges that built its two children.
    Each (merge, child merge) pair where the child is strictly higher is one inversion.

    Parameters
    ----------
    linkage : ndarray of shape (K - 1, 4)
        scipy linkage matrix.

    Returns
    -------
    n_inversions : int

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit.community import count_inversions
    >>> count_inversions(np.array([[0, 1, 0.5, 2], [2, 3, 0.3, 3]]))
    1
    """
    Z = np.asarray(linkage, dtype=np.float64)
    K = Z.shape[0] + 1
    n = 0
    for t in range(Z.shape[0]):
        for child in Z[t, :2].astype(np.int64):
            if child >= K and Z[child - K, 2] > Z[t, 2]:
                n += 1
    return n


def validate_graph(estimator, X, weight):
    """Validate the input of ``estimator.fit`` and set ``n_features_in_``.

    Matrices go through scikit-learn's ``validate_data`` first (standard messages for NaN,
    complex or object data, empty arrays), then through :func:`check_adjacency`.
    """
    from sklearn.utils.validation import validate_data

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
    """Validated graph: adjacency, node list, isolated nodes and components."""

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


def relabel_by_first_appearance(labels):
    """Renumber labels ``>= 0`` in order of first appearance; -1 stays -1."""
    out = np.full(labels.shape, -1, dtype=np.intp)
    keep = labels >= 0
    _, first, inv = np.unique(labels[keep], return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    out[keep] = rank[inv]
    return out


class CommunityTreeMixin:
    """``cut`` and the common fitted attributes of the community-tree estimators."""

    def cut(self, n_clusters):
        """Node labels at the level of the tree with ``n_clusters`` communities.

        Parameters
        ----------
        n_clusters : int
            Between 1 and ``n_communities_``.

        Returns
        -------
        labels : ndarray of shape (n_nodes,)
            Community of every node at that level, numbered by their first node;
            isolated nodes are labelled -1.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "linkage_")
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
            raise TypeError(f"n_clusters must be an integer, got {type(n_clusters).__name__}")
        if not 1 <= n_clusters <= self.n_communities_:
            raise ValueError(f"n_clusters must be between 1 and n_communities_="
                             f"{self.n_communities_}, got {n_clusters}")
        leaf = cut_linkage(self.linkage_, int(n_clusters))
        out = np.full(self.labels_.shape, -1, dtype=np.intp)
        keep = self.labels_ >= 0
        out[keep] = leaf[self.labels_[keep]]
        return relabel_by_first_appearance(out)
