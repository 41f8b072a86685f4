"""What every medoid-based estimator shares: parameter constraints, input validation,
chunked nearest-medoid queries, the own-cluster rule, predict / transform / score, tags."""
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import _VALID_METRICS
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils._chunking import row_chunks
from .._utils._validation import (
    check_dissimilarity,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)


def distance_row_bytes(k):
    """Bytes one row of a chunk of distances to k medoids takes (the float64 block and
    about as much again for the metric's temporaries)."""
    return 16 * max(int(k), 1)


def medoids_in_rows(medoids, start, stop):
    """(row - start, position) of every medoid that lies in rows ``start..stop-1``; the
    position is the medoid's index in the flattened ``medoids`` array."""
    flat = np.asarray(medoids).ravel()
    cols = np.flatnonzero((flat >= start) & (flat < stop))
    return flat[cols] - start, cols


def own_cluster(labels, dist, medoids, start=0):
    """A medoid belongs to its own cluster, at distance 0, also when another medoid
    coincides with it. ``labels`` (and ``dist``, unless None) hold rows ``start..``;
    modified in place."""
    rows, cols = medoids_in_rows(medoids, start, start + len(labels))
    labels[rows] = cols
    if dist is not None:
        dist[rows] = 0.0


def distance_chunks(X, centers=None, metric="euclidean", metric_params=None, *,
                    precomputed_cols=None):
    """Distances of the rows of X to a few centers, chunk by chunk, in bounded memory.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d), or (n, n_fit) when precomputed
    centers : {ndarray, sparse matrix} of shape (k, d) or None
        The centers' rows (ignored when ``precomputed_cols`` is given).
    metric, metric_params :
        As in :func:`sklearn.metrics.pairwise_distances`.
    precomputed_cols : ndarray of shape (k,) or None
        For a precomputed X: the centers' column indices.

    Yields
    ------
    start, stop : int
        The rows of the chunk.
    block : ndarray of shape (stop - start, k)
        Their distances to the centers.
    """
    k = len(precomputed_cols) if precomputed_cols is not None else centers.shape[0]
    for start, stop in row_chunks(X.shape[0], distance_row_bytes(k)):
        if precomputed_cols is not None:
            yield start, stop, np.asarray(X[start:stop])[:, precomputed_cols]
        else:
            yield start, stop, pairwise_distances(X[start:stop], centers, metric=metric,
                                                  **(metric_params or {}))


def nearest_medoid(X, centers, metric="euclidean", metric_params=None, precomputed_cols=None):
    """Nearest medoid of every row of X, computed in chunks of bounded memory.

    Parameters are those of :func:`distance_chunks`.

    Returns
    -------
    labels : ndarray of shape (n,), intp (lowest medoid index on ties)
    dist : ndarray of shape (n,), float64
    """
    n = X.shape[0]
    labels = np.empty(n, dtype=np.intp)
    dist = np.empty(n, dtype=np.float64)
    for start, end, block in distance_chunks(X, centers, metric, metric_params,
                                             precomputed_cols=precomputed_cols):
        lab = np.argmin(block, axis=1)
        labels[start:end] = lab
        dist[start:end] = block[np.arange(end - start), lab]
    return labels, dist


class _MedoidEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin,
                       BaseEstimator):
    """Base of KMedoids, CLARA, CLARANS and DaskCLARA (not public)."""

    # what every medoid estimator takes; each adds its own with {**base, ...}
    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions(set(_VALID_METRICS) | {"precomputed"}), callable],
        "metric_params": [dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _precomputed(self):
        return self.metric == "precomputed"

    def _validate_X(self, X, reset):
        if self._precomputed():
            # fit checks the square matrix in one pass of its own (finite values included,
            # see check_dissimilarity), so scikit-learn's finite check would be a second read
            X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                              order="C", ensure_min_samples=1, ensure_all_finite=not reset)
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
        D = pairwise_distances(X, self.cluster_centers_, metric=self.metric,
                               **(self.metric_params or {}))
        # scikit-learn computes float32 for the euclidean metric only; keep X's dtype
        return D.astype(X.dtype, copy=False) if X.dtype == np.float32 else D

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


class _SearchEstimator(_MedoidEstimator):
    """CLARA and CLARANS keep the best of several searches; this stores it."""

    def _prepare_fit(self, X, sample_weight):
        """Validated X (a checked matrix when precomputed), n, k, weights and generator."""
        X = self._validate_X(X, reset=True)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        w = check_weights(sample_weight, n)
        if self._precomputed():
            X = check_dissimilarity(X, "The precomputed matrix X")
        return X, n, k, w, check_random_state(self.random_state)

    def _set_best(self, X, best):
        med = best["medoids"]
        if self._precomputed():
            gram = np.asarray(X)[np.ix_(med, med)]
        else:
            gram = pairwise_distances(X[med], metric=self.metric,
                                      **(self.metric_params or {}))
        warn_if_coincident_medoids(gram, np.arange(len(med)))
        self._set_fitted(X, med, best["labels"], best["loss"])
