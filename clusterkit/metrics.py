"""Quality measures: medoid silhouette and a silhouette on a precomputed matrix."""
import numpy as np
from sklearn.metrics import pairwise_distances

from ._utils._validation import check_dissimilarity, check_medoid_array

__all__ = ["medoid_silhouette", "silhouette"]


def medoid_silhouette(X, medoid_indices, *, metric="euclidean", samples=False,
                      **metric_params):
    """Medoid silhouette: mean over objects of ``1 - a / b``.

    ``a`` is the distance of an object to its nearest medoid and ``b`` to its second
    nearest. It needs O(n k) distances instead of the silhouette's O(n^2), and it is what
    k-medoids with the right k maximises (Van der Laan et al. 2003; Lenssen and Schubert
    2022).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
        Data, or a dissimilarity matrix when ``metric="precomputed"`` (only the medoid
        columns are read).
    medoid_indices : array-like of shape (k,)
        Row indices of the medoids (at least 2).
    metric : str or callable, default="euclidean"
    samples : bool, default=False
        Return the per-object values instead of their mean.
    **metric_params
        Passed to the metric.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        In [0, 1]; an object with ``a = b = 0`` scores 0.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit.metrics import medoid_silhouette
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> round(medoid_silhouette(X, [1, 4]), 4)
    0.9327
    """
    X = np.asarray(X) if not hasattr(X, "tocsr") else X
    n = X.shape[0]
    med = check_medoid_array(medoid_indices, n)
    if len(med) < 2:
        raise ValueError("The medoid silhouette needs at least 2 medoids.")
    if metric == "precomputed":
        Dm = np.asarray(X, dtype=np.float64)[:, med]
    else:
        Dm = pairwise_distances(X, X[med], metric=metric, **metric_params)
    if not np.all(np.isfinite(Dm)):
        raise ValueError("The distances to the medoids contain NaN or infinity.")
    Dm = np.array(Dm, dtype=np.float64)
    Dm[med, np.arange(len(med))] = 0.0  # a medoid is its own nearest
    part = np.partition(Dm, 1, axis=1)
    a, b = part[:, 0], part[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(b > 0, 1.0 - a / b, 0.0)
    return s if samples else float(s.mean())


def silhouette(D, labels, *, samples=False, check_input=True):
    """Silhouette of a clustering computed from a precomputed dissimilarity matrix.

    Reuses the n x n matrix the clustering was run on (one matrix product with the
    one-hot labels) instead of computing distances again.

    Parameters
    ----------
    D : array-like of shape (n_samples, n_samples)
        Symmetric dissimilarities with a zero diagonal.
    labels : array-like of shape (n_samples,)
        Cluster labels (any hashable values; at least 2 clusters and fewer than n).
    samples : bool, default=False
        Return the per-object silhouettes instead of their mean.
    check_input : bool, default=True
        Validate D first.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        Objects in singleton clusters score 0, as in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit.metrics import silhouette
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> round(silhouette(np.abs(X - X.T), [0, 0, 0, 1, 1, 1]), 4)
    0.8657
    """
    D = check_dissimilarity(D) if check_input else np.asarray(D)
    labels = np.asarray(labels)
    n = D.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"labels has shape {labels.shape}, expected ({n},).")
    uniq, lab = np.unique(labels, return_inverse=True)
    k = len(uniq)
    if not 2 <= k <= n - 1:
        raise ValueError(f"The silhouette needs 2 <= n_labels <= n_samples - 1, got "
                         f"{k} labels for {n} samples.")
    onehot = np.zeros((n, k), dtype=np.float64)
    onehot[np.arange(n), lab] = 1.0
    sums = D.astype(np.float64, copy=False) @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[lab] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(own > 0, sums[np.arange(n), lab] / np.maximum(own, 1), 0.0)
        means = sums / sizes
    means[np.arange(n), lab] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 0, (b - a) / np.maximum(a, b), 0.0)
    s = np.nan_to_num(s)
    return s if samples else float(s.mean())


# Hierarchy metrics for community detection: their home is clusterkit.community, next to
# the estimators whose trees they score; they are re-exported here so that every quality
# measure can be found in one module (the docs say so).
from .community import (  # noqa: E402
    chernoff_hellinger,
    chernoff_hellinger_levels,
    count_inversions,
    dasgupta_cost,
    exact_recovery,
    hierarchy_scores,
    matched_accuracy,
    tree_recovery,
)

__all__ += [
    "chernoff_hellinger",
    "chernoff_hellinger_levels",
    "count_inversions",
    "dasgupta_cost",
    "exact_recovery",
    "hierarchy_scores",
    "matched_accuracy",
    "tree_recovery",
]
