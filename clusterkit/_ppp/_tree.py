"""The split tree PPP records: every node examined, its gain and agreement."""
import numpy as np

from .._utils._hierarchy import split_tree_linkage


class PPPTree:
    """The binary split tree built by :class:`~clusterkit.PPP` (its ``tree_``).

    Node 0 is the root (all the data). Every node that was examined carries the criterion
    gain (criterion of the 1-component mixture minus that of the 2-component mixture on the
    node; positive means two components describe the node better) and the agreement
    (weighted fraction of the node on which the 2-component mixture's hard assignment equals
    the 2-means split). Accepted splits have children; leaves are the clusters. Every
    parameter is kept as the attribute of the same name, one entry per node.

    Parameters
    ----------
    parent, left, right : ndarray of int
        Tree links, -1 where absent.
    size : ndarray of float
        Number of points in the node (the sum of codebook weights under reduction).
    depth : ndarray of int
        Distance from the root (0 for the root).
    gain : ndarray of float
        Criterion gain of the node's candidate split (NaN when it was not evaluated, for
        example when the node is too small to split).
    agreement : ndarray of float
        Agreement of the node's candidate split (NaN when not evaluated).
    status : ndarray of str
        ``"split"`` for accepted splits; for leaves the reason they were not split:
        ``"criterion"`` (gain <= 0), ``"agreement"`` (below the threshold),
        ``"min_cluster_size"``, ``"max_clusters"`` or ``"degenerate"`` (no spread).
    cluster : ndarray of int
        Final cluster label of each leaf (-1 for internal nodes): the cluster holding most
        of the leaf's points. Leaves and clusters correspond one to one unless the final
        mixture removed a component (see :class:`~clusterkit.PPP`), in which case several
        leaves share a label.

    See Also
    --------
    PPP : The estimator that grows the tree.
    scipy.cluster.hierarchy.dendrogram : Draws :meth:`to_linkage`'s matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import PPP
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [0.3, 0.2],
    ...               [8.0, 8.1], [8.2, 8.0], [8.1, 8.3], [8.3, 8.2]])
    >>> tree = PPP(min_cluster_size=2, covariance_type="spherical").fit(X).tree_
    >>> tree
    PPPTree(n_nodes=3, n_splits=1, n_leaves=2)
    >>> tree.status
    array(['split', 'criterion', 'criterion'], dtype=object)
    >>> tree.size, tree.cluster
    (array([8., 4., 4.]), array([-1,  0,  1]))
    >>> bool(tree.gain[0] > 0)
    True
    >>> Z = tree.to_linkage()  # merges leaves 0 and 1 at the root's gain
    >>> Z[:, [0, 1, 3]], bool(Z[0, 2] == tree.gain[0])
    (array([[0., 1., 2.]]), True)
    """

    def __init__(self, parent, left, right, size, depth, gain, agreement, status, cluster):
        self.parent = parent
        self.left = left
        self.right = right
        self.size = size
        self.depth = depth
        self.gain = gain
        self.agreement = agreement
        self.status = status
        self.cluster = cluster

    @property
    def n_nodes(self):
        """Number of examined nodes (int)."""
        return self.parent.size

    @property
    def leaves(self):
        """Leaf node ids, ordered by their cluster label (ndarray of int)."""
        ids = np.flatnonzero(self.left < 0)
        return ids[np.argsort(self.cluster[ids], kind="stable")]

    def splits(self):
        """Accepted splits, in node order.

        Returns
        -------
        splits : list of dict
            One dict per accepted split, with keys ``node``, ``left``, ``right``,
            ``size``, ``depth``, ``gain`` and ``agreement``.
        """
        return [
            {"node": int(i), "left": int(self.left[i]), "right": int(self.right[i]),
             "size": float(self.size[i]), "depth": int(self.depth[i]),
             "gain": float(self.gain[i]), "agreement": float(self.agreement[i])}
            for i in np.flatnonzero(self.left >= 0)
        ]

    def to_linkage(self):
        """The tree as a scipy linkage matrix of shape (n_leaves - 1, 4).

        Observation ``i`` of the linkage is the leaf with cluster label ``i`` (when the
        final mixture dropped no component). The height of a merge is the criterion gain of
        the split, raised where needed to the largest gain below it so that heights are
        monotone, as :func:`scipy.cluster.hierarchy.dendrogram` expects; the fourth column
        counts leaves (scipy's convention), ``size`` holds the number of points.
        """
        leaf_id = np.full(self.n_nodes, -1, dtype=np.intp)
        leaves = self.leaves
        leaf_id[leaves] = np.arange(leaves.size)
        return split_tree_linkage(self.left, self.right, self.gain, leaf_id)[0]

    def __repr__(self):
        return (f"PPPTree(n_nodes={self.n_nodes}, n_splits={int((self.left >= 0).sum())}, "
                f"n_leaves={int((self.left < 0).sum())})")
