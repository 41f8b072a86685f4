"""How PPP splits: the principal-axis rule, deterministic 2-means, and their validation.

The principal-axis rule (the sign of the projection on the leading eigenvector of a scatter
matrix) serves the 2-means initialisation of a node and both codebook builders in
``_codebook``, so the three split the same way.
"""
import numpy as np
from scipy import linalg

LLOYD_MAX_ITER = 300


def principal_axis(scatter):
    """Leading eigenvector of a symmetric ``(d, d)`` scatter (or covariance) matrix.

    Its sign is whatever LAPACK returns; callers use only the partition it induces.

    Parameters
    ----------
    scatter : ndarray of shape (d, d)

    Returns
    -------
    axis : ndarray of shape (d,)
        Unit vector of the largest eigenvalue.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._ppp._split import principal_axis
    >>> np.abs(principal_axis(np.array([[1.0, 0.0], [0.0, 4.0]])))
    array([0., 1.])
    """
    d = scatter.shape[0]
    _, vecs = linalg.eigh(scatter, subset_by_index=[d - 1, d - 1])
    return vecs[:, 0]


def principal_side(centred, scatter):
    """Side of every centred row across the principal axis of ``scatter``.

    Parameters
    ----------
    centred : ndarray of shape (n, d)
        Rows minus their (weighted) mean.
    scatter : ndarray of shape (d, d)
        The scatter matrix whose principal axis is used.

    Returns
    -------
    side : ndarray of bool, shape (n,)
        True where the projection on the axis is strictly positive (rows on the
        hyperplane through the mean go to the False side).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._ppp._split import principal_side
    >>> X = np.array([[-2.0, 0.1], [-1.0, 0.0], [1.0, -0.1], [2.0, 0.0]])
    >>> side = principal_side(X, X.T @ X)
    >>> bool(side[0] != side[3]), bool(side[0] == side[1]), bool(side[2] == side[3])
    (True, True, True)
    """
    return centred @ principal_axis(scatter) > 0


def two_means(X, w, max_iter=LLOYD_MAX_ITER):
    """Deterministic weighted 2-means; returns the boolean side of each row or None.

    Initialised by :func:`principal_side` on the weighted covariance (the sign of the axis
    is irrelevant: only the partition is returned), then Lloyd iterations until the
    partition no longer changes. Ties go to the ``False`` side. None means the rows cannot
    be split (no spread, or one side empty).

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
    w : ndarray of shape (n,)
        Positive row weights.
    max_iter : int, default=300
        Maximum number of Lloyd iterations.

    Returns
    -------
    side : ndarray of bool, shape (n,), or None
    """
    total = w.sum()
    mean = w @ X / total
    centred = X - mean
    cov = (centred * w[:, None]).T @ centred / total
    if not np.isfinite(cov).all() or np.trace(cov) <= 0:
        return None
    side = principal_side(centred, cov)
    for _ in range(max_iter):
        if side.all() or not side.any():
            return None
        c1 = w[side] @ X[side] / w[side].sum()
        c0 = w[~side] @ X[~side] / w[~side].sum()
        d1 = ((X - c1) ** 2).sum(axis=1)
        d0 = ((X - c0) ** 2).sum(axis=1)
        new = d1 < d0
        if np.array_equal(new, side):
            break
        side = new
    if side.all() or not side.any():
        return None
    return side
