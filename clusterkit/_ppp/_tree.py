"""The split tree PPP records: every node examined, its gain and agreement."""
import numpy as np

from .._utils._hierarchy import split_tree_linkage


class PPPTree:
    """The binary split tree built by :class:`~clusterkit.PPP` (its ``tree_``).

    Node 0 is the root (all the data). A node below it is a soft component: it holds the
    parts of the rows that the mixtures splitting its ancestors gave it (their
    responsibilities multiplied down the tree), so its size is a sum of shares, and a
    child's size is its share of the parent. Every node that was examined carries the criterion
    gain of its candidate split (criterion of the 1-component mixture minus that of the
    2-component mixture on the node, counted as :class:`~clusterkit.PPP` counts points:
    positive means two components describe the node better), the log-likelihood gain per
    point, the size of the smaller of the mixture's two components, the agreement
    (weighted fraction of the node on which the 2-component mixture's hard assignment equals
    the 2-means split; informative, a check only when ``PPP(agreement=...)`` is set) and its
    ``status``, which says how the validation decided. Accepted splits have children;
    leaves are the clusters. Every parameter is kept as the attribute of the same name, one
    entry per node; :meth:`summary` prints them as a table.

    Parameters
    ----------
    parent, left, right : ndarray of int
        Tree links, -1 where absent.
    size : ndarray of float
        Points in the node: the sum of the shares of the rows it holds (of codebook
        weights under reduction). The two children of a split sum to their parent, less
        the slivers of rows whose share falls below one thousandth of the parent's.
    depth : ndarray of int
        Distance from the root (0 for the root).
    gain : ndarray of float
        Criterion gain of the node's candidate split (NaN when it was not evaluated, for
        example when the node is too small to split).
    agreement : ndarray of float
        Agreement of the node's candidate split (NaN when not evaluated).
    status : ndarray of str
        ``"split"`` for accepted splits; for leaves the reason they were not split:
        ``"no gain"`` (gain <= 0), ``"too small"`` (the node, its 2-means split or the
        mixture's split leaves a side below ``min_cluster_size``), ``"no spread"`` (all
        points equal), ``"disagreement"`` (agreement below ``PPP(agreement=...)``, only
        when that check is set) or ``"max clusters"`` (a valid split left undone by the
        ``max_clusters`` cap).
    cluster : ndarray of int
        Final cluster label of each leaf (-1 for internal nodes): the cluster holding most
        of the leaf's points. Leaves and clusters correspond one to one unless the final
        mixture removed a component (see :class:`~clusterkit.PPP`), in which case several
        leaves share a label.
    gain_per_point : ndarray of float, optional
        Log-likelihood of the 2-component mixture minus that of the 1-component one,
        divided by the node's size (NaN when not evaluated).
    smaller_child : ndarray of float, optional
        Points (summed responsibilities) of the smaller component of the 2-component
        mixture (NaN when not evaluated).

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
    array(['split', 'no gain', 'no gain'], dtype=object)
    >>> tree.size, tree.cluster
    (array([8., 4., 4.]), array([-1,  0,  1]))
    >>> bool(tree.gain[0] > 0)
    True
    >>> Z = tree.to_linkage()  # merges leaves 0 and 1 at the root's gain
    >>> Z[:, [0, 1, 3]], bool(Z[0, 2] == tree.gain[0])
    (array([[0., 1., 2.]]), True)
    >>> print(tree.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    node parent depth  size      gain gain/pt  smaller agree status   cluster
       0     -1     0     8 ... split        -
       1      0     1     4 ... no gain      0
       2      0     1     4 ... no gain      1
    """

    def __init__(self, parent, left, right, size, depth, gain, agreement, status, cluster,
                 gain_per_point=None, smaller_child=None):
        self.parent = parent
        self.left = left
        self.right = right
        self.size = size
        self.depth = depth
        self.gain = gain
        nan = np.full(parent.shape, np.nan)
        self.gain_per_point = nan if gain_per_point is None else gain_per_point
        self.smaller_child = nan.copy() if smaller_child is None else smaller_child
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

    def summary(self):
        """Every examined node on one line: how the validation decided, and why.

        Returns
        -------
        text : str
            Columns: node, parent, depth, size (points), gain (criterion gain of the
            candidate split; the split needs a positive one), gain/pt (log-likelihood gain
            per point), smaller (points of the mixture's smaller component; a
            split needs ``min_cluster_size``), agree (agreement with 2-means), status and
            the cluster of a leaf.
        """
        lines = [f"{'node':>4} {'parent':>6} {'depth':>5} {'size':>5} {'gain':>9} "
                 f"{'gain/pt':>7} {'smaller':>8} {'agree':>5} {'status':<12} cluster"]
        for i in range(self.n_nodes):
            leaf = self.left[i] < 0
            lines.append(
                f"{i:4d} {self.parent[i]:6d} {self.depth[i]:5d} {self.size[i]:5.0f} "
                f"{self.gain[i]:9.4g} {self.gain_per_point[i]:7.3g} "
                f"{self.smaller_child[i]:8.0f} {self.agreement[i]:5.3f} "
                f"{self.status[i]:<12} {self.cluster[i] if leaf else '-'}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"PPPTree(n_nodes={self.n_nodes}, n_splits={int((self.left >= 0).sum())}, "
                f"n_leaves={int((self.left < 0).sum())})")
