"""The split tree PPP records: every node examined, its gain and agreement."""
import numpy as np


class PPPTree:
    """The binary split tree built by :class:`PPP`.

    Node 0 is the root (all the data). Every node that was examined carries the criterion
    gain (criterion of the 1-component mixture minus that of the 2-component mixture on the
    node; positive means two components describe the node better) and the agreement
    (weighted fraction of the node on which the 2-component mixture's hard assignment equals
    the 2-means split). Accepted splits have children; leaves are the clusters.

    Attributes
    ----------
    parent, left, right : ndarray of int
        Tree links, -1 where absent.
    size : ndarray of float
        Number of points in the node (the sum of codebook weights under reduction).
    depth : ndarray of int
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
        mixture removed a component (see :class:`PPP`), in which case several leaves share
        a label.
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
        return self.parent.size

    @property
    def leaves(self):
        """Leaf node ids, ordered by their cluster label."""
        ids = np.flatnonzero(self.left < 0)
        return ids[np.argsort(self.cluster[ids], kind="stable")]

    def splits(self):
        """Accepted splits as dicts (node, left, right, size, depth, gain, agreement)."""
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
        leaves = self.leaves
        n_leaves = leaves.size
        Z = np.zeros((max(n_leaves - 1, 0), 4))
        if n_leaves < 2:
            return Z
        height = np.zeros(self.n_nodes)
        post = []
        stack = [(0, False)]
        while stack:
            node, done = stack.pop()
            if self.left[node] < 0:
                continue
            if done:
                post.append(node)
                height[node] = max(self.gain[node], height[self.left[node]],
                                   height[self.right[node]])
            else:
                stack.extend([(node, True), (self.right[node], False),
                              (self.left[node], False)])
        order = sorted(range(len(post)), key=lambda i: (height[post[i]], i))
        ident = {int(leaf): i for i, leaf in enumerate(leaves)}
        count = dict.fromkeys(ident, 1)
        for row, i in enumerate(order):
            node = post[i]
            left, right = int(self.left[node]), int(self.right[node])
            a, b = ident[left], ident[right]
            count[int(node)] = count[left] + count[right]
            Z[row] = [min(a, b), max(a, b), height[node], count[int(node)]]
            ident[int(node)] = n_leaves + row
        return Z

    def __repr__(self):
        return (f"PPPTree(n_nodes={self.n_nodes}, n_splits={int((self.left >= 0).sum())}, "
                f"n_leaves={int((self.left < 0).sum())})")
