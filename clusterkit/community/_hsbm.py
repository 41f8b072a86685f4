"""The tree of a hierarchical stochastic block model, as a matrix of common-ancestor
depths: the HSBM sampler (:func:`clusterkit.datasets.make_hsbm`) and the exact-recovery
thresholds (:func:`~clusterkit.community.chernoff_hellinger_levels`) read it alike."""
import numpy as np

__all__ = ["balanced_ancestor_depth", "levels_from_ancestor_depth"]


def balanced_ancestor_depth(depth, branching):
    """Common-ancestor depth matrix of the leaves of a balanced tree.

    Parameters
    ----------
    depth : int
        Depth of the tree (the leaves are at this depth).
    branching : int
        Number of children of every internal node.

    Returns
    -------
    ancestor_depth : ndarray of shape (branching**depth, branching**depth)
        ``ancestor_depth[a, b]`` is the depth of the lowest common ancestor of leaves ``a``
        and ``b`` (``depth`` on the diagonal).

    Examples
    --------
    >>> from clusterkit.datasets import balanced_ancestor_depth
    >>> balanced_ancestor_depth(2, 2)
    array([[2, 1, 0, 0],
           [1, 2, 0, 0],
           [0, 0, 2, 1],
           [0, 0, 1, 2]])
    """
    K = branching ** depth
    leaves = np.arange(K)
    M = np.zeros((K, K), dtype=np.intp)
    for level in range(1, depth + 1):
        anc = leaves // branching ** (depth - level)
        M += anc[:, None] == anc[None, :]
    return M


def _check_ancestor_depth(M):
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
        raise ValueError(f"ancestor_depth must be a non-empty square matrix, got shape "
                         f"{M.shape}")
    if not np.issubdtype(M.dtype, np.integer):
        if not np.all(np.isfinite(M)) or np.any(M != np.round(M)):
            raise ValueError("ancestor_depth must hold integer depths")
    M = M.astype(np.intp)
    if np.any(M < 0):
        raise ValueError("ancestor_depth must be non-negative")
    if np.any(M != M.T):
        raise ValueError("ancestor_depth must be symmetric")
    offdiag = ~np.eye(len(M), dtype=bool)
    if np.any((M >= np.minimum.outer(M.diagonal(), M.diagonal()))[offdiag]):
        raise ValueError("two distinct leaves must have a common ancestor strictly above "
                         "both of them (ancestor_depth[a, b] < min(ancestor_depth[a, a], "
                         "ancestor_depth[b, b]))")
    # ultrametric: depth(lca(a, c)) >= min(depth(lca(a, b)), depth(lca(b, c)))
    for b in range(len(M)):
        if np.any(M < np.minimum.outer(M[:, b], M[b, :])):
            raise ValueError("ancestor_depth is not the common-ancestor depth matrix of a "
                             "tree (it must satisfy M[a, c] >= min(M[a, b], M[b, c]))")
    return M


def levels_from_ancestor_depth(M):
    """Labels of the leaves at every depth: ``levels[l, a]`` is the depth-``l`` ancestor.

    Leaves shallower than ``l`` keep their own label at depth ``l``.
    """
    K = len(M)
    depth = int(M.diagonal().max())
    levels = np.zeros((depth + 1, K), dtype=np.intp)
    for level in range(depth + 1):
        lab = np.full(K, -1, dtype=np.intp)
        n = 0
        for a in range(K):
            if lab[a] < 0:
                members = (M[a] >= level) & (lab < 0)
                members[a] = True
                lab[members] = n
                n += 1
        levels[level] = lab
    return levels
