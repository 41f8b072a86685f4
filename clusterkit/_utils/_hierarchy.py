"""Trees as scipy linkage matrices: split tree -> linkage, cutting a linkage, and the
canonical relabelling every family uses.

A divisive method (PPP's split tree, :class:`~clusterkit.community.DivisiveCommunities`)
records a binary tree of splits; an agglomerative one produces merges directly. Both end
as a scipy linkage matrix ``Z`` of shape ``(K - 1, 4)`` over ``K`` leaves: row ``t`` merges
clusters ``Z[t, 0] < Z[t, 1]`` (leaves are ``0..K-1``, the cluster made by row ``t`` is
``K + t``) at height ``Z[t, 2]``, and ``Z[t, 3]`` counts its leaves.
"""
import numpy as np

__all__ = ["split_tree_linkage", "cut_linkage", "relabel_by_first_appearance",
           "count_inversions"]


def relabel_by_first_appearance(labels, *, return_mapping=False):
    """Renumber labels ``>= 0`` in order of first appearance; negative labels become -1.

    Parameters
    ----------
    labels : array-like of int
    return_mapping : bool, default=False
        Also return ``new_of``, with ``new_of[old] = new`` for every old label
        ``0..labels.max()`` that appears (-1 for those that do not).

    Returns
    -------
    relabelled : ndarray of intp
    new_of : ndarray of intp, only when ``return_mapping``

    Examples
    --------
    >>> from clusterkit._utils._hierarchy import relabel_by_first_appearance
    >>> relabel_by_first_appearance([5, 5, -1, 2, 7, 2])
    array([ 0,  0, -1,  1,  2,  1])
    """
    labels = np.asarray(labels)
    out = np.full(labels.shape, -1, dtype=np.intp)
    keep = labels >= 0
    uniq, first, inv = np.unique(labels[keep], return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    out[keep] = rank[inv]
    if not return_mapping:
        return out
    new_of = np.full(int(uniq.max()) + 1 if uniq.size else 0, -1, dtype=np.intp)
    new_of[uniq.astype(np.intp)] = rank
    return out, new_of


def split_tree_linkage(left, right, height, leaf_id, root=0):
    """A binary split tree as a scipy linkage matrix with monotone heights.

    The height of a merge is the node's own ``height``, raised where needed to the largest
    height below it, so that a cluster is never merged below its parts, as
    :func:`scipy.cluster.hierarchy.dendrogram` expects. Merges are ordered by that
    monotone height; equal heights keep the tree's post-order (left subtree first), so
    children always come before their parent.

    Parameters
    ----------
    left, right : array-like of int, shape (n_nodes,)
        Children of every node; -1 (both) for a leaf.
    height : array-like of float, shape (n_nodes,)
        Height of every internal node (ignored for leaves).
    leaf_id : array-like of int, shape (n_nodes,)
        Observation number ``0..K-1`` of every leaf (ignored for internal nodes).
    root : int, default=0

    Returns
    -------
    Z : ndarray of shape (K - 1, 4)
        The linkage (monotone heights).
    merge_node : ndarray of shape (K - 1,)
        The tree node of every row of ``Z`` (to attach per-split values to the rows).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._utils._hierarchy import split_tree_linkage
    >>> # root 0 splits into leaf 1 and node 2; node 2 splits into leaves 3 and 4
    >>> left, right = np.array([1, -1, 3, -1, -1]), np.array([2, -1, 4, -1, -1])
    >>> Z, rows = split_tree_linkage(left, right, [5.0, 0, 7.0, 0, 0], [-1, 0, -1, 1, 2])
    >>> Z
    array([[1., 2., 7., 2.],
           [0., 3., 7., 3.]])
    >>> rows
    array([2, 0])
    """
    left = np.asarray(left)
    right = np.asarray(right)
    height = np.asarray(height, dtype=np.float64)
    leaf_id = np.asarray(leaf_id)
    n_leaves = int((left < 0).sum()) if left[root] >= 0 else 1
    # post-order of the internal nodes (left subtree first), with monotone heights
    post, mono = [], {}
    stack = [(int(root), False)]
    while stack:
        node, done = stack.pop()
        if left[node] < 0:
            continue
        if done:
            post.append(node)
            mono[node] = max(height[node], mono.get(int(left[node]), -np.inf),
                             mono.get(int(right[node]), -np.inf))
        else:
            stack.extend([(node, True), (int(right[node]), False), (int(left[node]), False)])
    order = sorted(range(len(post)), key=lambda i: mono[post[i]])  # stable: post-order
    Z = np.zeros((len(post), 4))
    ident = {}
    count = {}

    def ident_count(node):
        if left[node] < 0:
            return int(leaf_id[node]), 1
        return ident[node], count[node]

    for row, i in enumerate(order):
        node = post[i]
        a, ca = ident_count(int(left[node]))
        b, cb = ident_count(int(right[node]))
        ident[node], count[node] = n_leaves + row, ca + cb
        Z[row] = [min(a, b), max(a, b), mono[node], ca + cb]
    merge_node = np.array([post[i] for i in order], dtype=np.intp)
    return Z, merge_node


def cut_linkage(linkage, n_clusters):
    """Cut a scipy linkage over ``K`` leaves into exactly ``n_clusters`` clusters.

    The first ``K - n_clusters`` merges are applied (so ties in height never change the
    number of clusters, unlike ``fcluster(..., criterion="maxclust")``). Clusters are
    numbered by their smallest leaf.

    Parameters
    ----------
    linkage : ndarray of shape (K - 1, 4)
    n_clusters : int
        Between 1 and K.

    Returns
    -------
    leaf_labels : ndarray of shape (K,)

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._utils._hierarchy import cut_linkage
    >>> Z = np.array([[1, 2, 0.1, 2], [0, 3, 0.5, 3]])
    >>> cut_linkage(Z, 2)
    array([0, 1, 1])
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
    return relabel_by_first_appearance(roots)


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
