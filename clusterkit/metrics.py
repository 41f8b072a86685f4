"""Quality measures: the silhouette on a precomputed matrix, the medoid silhouette, and the
hierarchy metrics of :mod:`clusterkit.community` (re-exported)."""
import numpy as np
from sklearn.metrics import pairwise_distances

from ._fast import _msc
from ._fast._openmp_helpers import effective_n_threads
from ._utils._validation import as_float_matrix, check_medoid_array, check_weights

__all__ = ["medoid_silhouette", "silhouette"]


def medoid_silhouette(X, medoid_indices, *, metric="euclidean", samples=False,
                      sample_weight=None, **metric_params):
    """Medoid silhouette: mean over objects of ``1 - a / b``.

    ``a`` is the distance of an object to its nearest medoid and ``b`` to its second
    nearest. It needs O(n k) distances instead of the silhouette's O(n^2), and it is what
    the silhouette methods of :class:`~clusterkit.KMedoids` (``fastermsc``, ``fastmsc``,
    ``pammedsil``) maximise (Van der Laan et al. 2003; Lenssen and Schubert 2022).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
        Data, or a dissimilarity matrix when ``metric="precomputed"`` (only the medoid
        columns are read: ``X[i, m]`` is the dissimilarity of sample i to medoid m).
    medoid_indices : array-like of shape (k,)
        Row indices of the medoids (at least 2, distinct).
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances`, or ``"precomputed"``.
    samples : bool, default=False
        Return the per-object values instead of their mean.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the mean (ignored with ``samples=True``); integer weights equal
        duplicated rows.
    **metric_params
        Passed to the metric.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        In [0, 1]. An object with ``a = b = 0`` (on two coincident medoids) scores 0,
        scikit-learn's convention for 0/0 (the ``kmedoids`` package scores it 1); a medoid
        scores 1 unless another medoid coincides with it.

    Raises
    ------
    ValueError
        For fewer than 2 medoids (one cluster has no second nearest medoid), bad indices,
        or distances that are NaN, infinite or negative.

    See Also
    --------
    silhouette : the original silhouette, O(n^2).
    clusterkit.plotting.plot_silhouette : one bar per sample, grouped by cluster.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit.metrics import medoid_silhouette
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> round(medoid_silhouette(X, [1, 4]), 4)
    0.9327
    >>> medoid_silhouette(X, [1, 4], samples=True).round(3).tolist()
    [0.909, 1.0, 0.889, 0.889, 1.0, 0.909]
    """
    X = np.asarray(X) if not hasattr(X, "tocsr") else X
    n = X.shape[0]
    med = check_medoid_array(medoid_indices, n)
    if len(med) < 2:
        raise ValueError("The medoid silhouette needs at least 2 medoids: a single cluster "
                         "has no second nearest medoid.")
    if metric == "precomputed":
        if X.ndim != 2 or X.shape[1] != n:
            raise ValueError(f"A precomputed X must be square, got shape {X.shape}.")
        Dm = np.ascontiguousarray(np.take(X, med, axis=1), dtype=np.float64)
    else:
        Dm = np.ascontiguousarray(pairwise_distances(X, X[med], metric=metric,
                                                     **metric_params), dtype=np.float64)
    if not np.all(np.isfinite(Dm)):
        raise ValueError("The distances to the medoids contain NaN or infinity.")
    if np.any(Dm < 0):
        raise ValueError("The distances to the medoids contain negative values.")
    Dm[med, np.arange(len(med))] = 0.0  # a medoid is its own nearest
    s = _msc.medoid_silhouette_samples(Dm)
    if samples:
        return s
    return float(np.average(s, weights=check_weights(sample_weight, n)))


def silhouette(D, labels, *, metric="precomputed", samples=False, check_input=True,
               n_threads=None, **metric_params):
    """Exact silhouette of a clustering, from a dissimilarity matrix or from features.

    The same values as :func:`sklearn.metrics.silhouette_score` /
    :func:`~sklearn.metrics.silhouette_samples` with ``metric="precomputed"`` (to rounding:
    1e-12 relative), in one pass over D that sums every row by cluster in float64, in
    parallel over rows (O(n^2) time, O(n k) memory, no temporaries of size n^2). Reuse the
    matrix the clustering was computed from.

    Parameters
    ----------
    D : array-like of shape (n_samples, n_samples), or (n_samples, n_features)
        Dissimilarities with a zero diagonal; row i holds those of sample i (as scikit-learn
        reads it; D need not be symmetric). float32 is read as float32. With a ``metric``
        other than ``"precomputed"``: the features, whose n x n matrix is then computed
        (memory-checked first, in X's float dtype for the euclidean metric).
    labels : array-like of shape (n_samples,)
        Cluster labels (any values; at least 2 clusters and at most n_samples - 1).
    metric : str or callable, default="precomputed"
        ``"precomputed"`` (D is the matrix), or any metric of
        :func:`sklearn.metrics.pairwise_distances` (D holds features), as for
        :func:`medoid_silhouette`. The default differs from that function's
        (``"euclidean"``) so that a matrix is never taken for features.
    samples : bool, default=False
        Return the per-object silhouettes instead of their mean.
    check_input : bool, default=True
        Check that D is square with a zero diagonal and holds no NaN, infinity or negative
        value (in the same pass; about free). Switch off only for matrices already
        validated.
    n_threads : int or None, default=None
        Threads (None: OpenMP's default). The values do not depend on it.
    **metric_params
        Passed to the metric.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        In [-1, 1]. Objects alone in their cluster score 0, as in scikit-learn.

    Raises
    ------
    ValueError
        For fewer than 2 or more than n_samples - 1 distinct labels (the silhouette of a
        single cluster is not defined), labels of the wrong length, or a bad matrix.

    See Also
    --------
    medoid_silhouette : the O(n k) medoid-based variant.
    clusterkit.plotting.plot_silhouette : one bar per sample, grouped by cluster.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit.metrics import silhouette
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> round(silhouette(np.abs(X - X.T), [0, 0, 0, 1, 1, 1]), 4)
    0.8657
    >>> round(silhouette(X, [0, 0, 0, 1, 1, 1], metric="euclidean"), 4)
    0.8657
    """
    if metric != "precomputed":
        from ._medoids import pairwise_dissimilarity

        X = D if hasattr(D, "tocsr") else np.asarray(D)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-d array of features, got shape {X.shape}.")
        if not (hasattr(X, "tocsr") or np.issubdtype(X.dtype, np.floating)):
            X = X.astype(np.float64)
        D = pairwise_dissimilarity(X, metric, metric_params or None, n_threads)
        check_input = False  # validated as it was built
    elif metric_params:
        raise TypeError(f"metric parameters {sorted(metric_params)} given with "
                        "metric='precomputed'.")
    D = as_float_matrix(D)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"D must be a square matrix, got shape {D.shape}.")
    n = D.shape[0]
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels has shape {labels.shape}, expected ({n},).")
    uniq, lab = np.unique(labels, return_inverse=True)
    k = len(uniq)
    if not 2 <= k <= n - 1:
        raise ValueError(f"The silhouette needs 2 <= n_labels <= n_samples - 1, got "
                         f"{k} labels for {n} samples.")
    if check_input:
        diag = np.flatnonzero(np.diagonal(D) != 0)
        if diag.size:
            i = int(diag[0])
            raise ValueError(f"D must have a zero diagonal: D[{i}, {i}] = {D[i, i]}.")
    s, bad = _msc.silhouette_samples(D, np.ascontiguousarray(lab, dtype=np.intp), k,
                                     effective_n_threads(n_threads))
    if check_input and bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "NaN or infinity" if bad[i] == 1 else "negative dissimilarities"
        raise ValueError(f"D contains {what} (first in row {i}).")
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
