"""Small conventions a scikit-learn user notices, across the families: warnings point at
the user's line, float32 stays float32, the silhouette takes features like the medoid
silhouette, the functional API takes the estimator's keywords."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances, silhouette_samples, silhouette_score

import clusterkit
from clusterkit import CLARA, PPP, KMedoids, OneBatchPAM
from clusterkit.metrics import silhouette


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("make", [
    lambda X: KMedoids(8, init="build").fit(X),
    lambda X: CLARA(8, random_state=0).fit(X),
    lambda X: clusterkit.fasterpam(pairwise_distances(X), 8, init="build"),
])
def test_coincident_medoid_warning_points_at_the_callers_line(make):
    X = np.repeat(np.arange(5.0)[:, None], 3, axis=0)  # 5 distinct points, k = 8
    caught = _caught(lambda: make(X))
    assert caught, "no warning about coincident medoids"
    assert caught[0].filename == __file__, caught[0].filename


def test_ppp_codebook_warning_points_at_the_callers_line():
    X, _ = make_blobs(300, centers=3, random_state=0)
    caught = _caught(lambda: PPP(reduce=True, n_codebook=1000).fit(X))
    assert caught and caught[0].filename == __file__


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "chebyshev"])
@pytest.mark.parametrize("Est", [KMedoids, CLARA, OneBatchPAM])
def test_transform_keeps_float32_for_every_metric(Est, metric):
    X, _ = make_blobs(200, centers=3, random_state=0)
    X = np.abs(X).astype(np.float32)
    model = Est(3, metric=metric, random_state=0).fit(X)
    T = model.transform(X[:7])
    assert T.dtype == np.float32
    ref = pairwise_distances(X[:7].astype(np.float64), model.cluster_centers_, metric=metric)
    np.testing.assert_allclose(T, ref, rtol=1e-5, atol=1e-5)
    assert model.transform(X[:7].astype(np.float64)).dtype == np.float64


def test_ppp_keeps_float32_and_predicts_as_float64():
    X, _ = make_blobs(1500, centers=3, random_state=0)
    a = PPP().fit(X.astype(np.float32))
    b = PPP().fit(X)
    for name in ("means_", "covariances_", "precisions_cholesky_", "weights_",
                 "cluster_centers_"):
        assert getattr(a, name).dtype == np.float32, name
        assert getattr(b, name).dtype == np.float64, name
    assert a.n_clusters_ == b.n_clusters_
    assert np.array_equal(a.predict(X), a.labels_)


@pytest.mark.parametrize("metric, params", [("euclidean", {}), ("manhattan", {}),
                                            ("minkowski", {"p": 3})])
def test_silhouette_from_features_equals_scikit_learn(metric, params):
    X, y = make_blobs(300, centers=4, random_state=1)
    got = silhouette(X, y, metric=metric, **params)
    assert got == pytest.approx(silhouette_score(X, y, metric=metric, **params), rel=1e-12)
    per = silhouette(X, y, metric=metric, samples=True, **params)
    np.testing.assert_allclose(per, silhouette_samples(X, y, metric=metric, **params),
                               rtol=1e-11, atol=1e-13)


def test_silhouette_default_still_reads_a_matrix():
    X, y = make_blobs(100, centers=3, random_state=0)
    D = pairwise_distances(X)
    assert silhouette(D, y) == pytest.approx(silhouette_score(D, y, metric="precomputed"))
    with pytest.raises(ValueError, match="square"):
        silhouette(X, y)  # features without a metric are refused, not misread
    with pytest.raises(TypeError, match="metric parameters"):
        silhouette(D, y, p=3)


@pytest.mark.parametrize("name", ["fasterpam", "fastpam1", "fastpam2", "pam", "alternating",
                                  "fastermsc", "fastmsc", "pammedsil", "pamsil"])
def test_functional_api_takes_the_estimators_keywords(name):
    X, _ = make_blobs(60, centers=3, random_state=0)
    D = pairwise_distances(X)
    fn = getattr(clusterkit, name)
    res = fn(D, 3, init="build", max_iter=50, random_state=0)
    assert len(res.medoids) == 3 and res.n_iter <= 50
