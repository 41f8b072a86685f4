"""What every medoid-based estimator shares: input validation, chunked nearest-medoid
queries, predict / transform / score, tags and logging."""
import time

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.metrics import pairwise_distances
from sklearn.utils.validation import check_is_fitted, validate_data

from ._utils._validation import check_weights

# Bytes of distances computed at once when assigning many points to the medoids.
CHUNK_BYTES = 64 * 2**20


def nearest_medoid(X, centers, metric="euclidean", metric_params=None, precomputed_cols=None):
    """Nearest medoid of every row of X, computed in chunks of bounded memory.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d), or (n, n_fit) when precomputed
    centers : {ndarray, sparse matrix} of shape (k, d) or None
        The medoids' rows (ignored when ``precomputed_cols`` is given).
    metric, metric_params :
        As in :func:`sklearn.metrics.pairwise_distances`.
    precomputed_cols : ndarray of shape (k,) or None
        For a precomputed X: the medoids' column indices.

    Returns
    -------
    labels : ndarray of shape (n,), intp (lowest medoid index on ties)
    dist : ndarray of shape (n,), float64
    """
    n = X.shape[0]
    k = len(precomputed_cols) if precomputed_cols is not None else centers.shape[0]
    step = max(1, min(n, CHUNK_BYTES // (8 * max(k, 1))))
    labels = np.empty(n, dtype=np.intp)
    dist = np.empty(n, dtype=np.float64)
    for start in range(0, n, step):
        end = min(n, start + step)
        if precomputed_cols is not None:
            block = np.asarray(X[start:end])[:, precomputed_cols]
        else:
            block = pairwise_distances(X[start:end], centers, metric=metric,
                                       **(metric_params or {}))
        lab = np.argmin(block, axis=1)
        labels[start:end] = lab
        dist[start:end] = block[np.arange(end - start), lab]
    return labels, dist


class _MedoidEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin,
                       BaseEstimator):
    """Base of KMedoids, CLARA and CLARANS (not public)."""

    def _log(self, msg, t0=None):
        if self.verbose:
            extra = f" ({time.perf_counter() - t0:.3f} s)" if t0 is not None else ""
            print(f"[{type(self).__name__}] {msg}{extra}", flush=True)

    def _precomputed(self):
        return self.metric == "precomputed"

    def _validate_X(self, X, reset):
        if self._precomputed():
            X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                              order="C", ensure_min_samples=1)
            if not reset and X.shape[1] != self.n_features_in_:
                raise ValueError(f"Precomputed X must have {self.n_features_in_} columns "
                                 f"(the training samples), got {X.shape[1]}.")
            if not reset and (X < 0).any():
                raise ValueError("Precomputed X contains negative dissimilarities.")
            return X
        return validate_data(self, X, reset=reset, accept_sparse=["csr", "csc"],
                             accept_large_sparse=False, dtype=[np.float64, np.float32])

    def _set_fitted(self, X, medoids, labels, inertia):
        self.medoid_indices_ = np.asarray(medoids, dtype=np.intp)
        self.labels_ = np.asarray(labels, dtype=np.intp)
        self.inertia_ = float(inertia)
        self.cluster_centers_ = None if self._precomputed() else X[self.medoid_indices_]
        self._n_features_out = len(self.medoid_indices_)

    def _nearest(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if self._precomputed():
            return nearest_medoid(X, None, precomputed_cols=self.medoid_indices_)
        return nearest_medoid(X, self.cluster_centers_, self.metric, self.metric_params)

    def predict(self, X):
        """Index (0..k-1) of the nearest medoid of every sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features) or \
(n_queries, n_samples_fit)
            New data, or its dissimilarities to the training samples if precomputed.

        Returns
        -------
        labels : ndarray of shape (n_queries,)
        """
        return self._nearest(X)[0]

    def transform(self, X):
        """Dissimilarities of every sample to every medoid.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features) or \
(n_queries, n_samples_fit)

        Returns
        -------
        distances : ndarray of shape (n_queries, n_clusters)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if self._precomputed():
            return np.asarray(X)[:, self.medoid_indices_]
        return pairwise_distances(X, self.cluster_centers_, metric=self.metric,
                                  **(self.metric_params or {}))

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the (weighted) sum of distances of X to its nearest medoids.

        Parameters
        ----------
        X : {array-like, sparse matrix}
        y : Ignored
        sample_weight : array-like of shape (n_queries,), default=None

        Returns
        -------
        score : float
            Larger is better (0 is best).
        """
        d = self._nearest(X)[1]
        w = check_weights(sample_weight, d.shape[0])
        return -float(np.dot(w, d))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = not self._precomputed()
        tags.input_tags.pairwise = self._precomputed()
        tags.input_tags.positive_only = self._precomputed()
        return tags
