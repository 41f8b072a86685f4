"""Facts users rely on for CLARANS and FastCLARANS."""
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

from clusterkit import CLARANS, KMedoids


def blobs(n=600, centers=8, seed=0, d=4):
    X, _ = make_blobs(n, centers=centers, n_features=d, cluster_std=2.0, random_state=seed)
    return X


def full_loss(X, medoids):
    return pairwise_distances(X, X[medoids]).min(axis=1).sum()


@pytest.mark.parametrize("method", ["fast", "classic"])
def test_clarans_attributes_and_reproducibility(method):
    X = blobs()
    a = CLARANS(8, method=method, random_state=0).fit(X)
    b = CLARANS(8, method=method, random_state=0).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    np.testing.assert_array_equal(X[a.medoid_indices_], a.cluster_centers_)
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    assert a.inertia_ == pytest.approx(full_loss(X, a.medoid_indices_), rel=1e-8)
    assert a.inertia_ == pytest.approx(a.local_losses_.min())


def test_clarans_precomputed_equals_features():
    X = blobs(n=300)
    a = CLARANS(5, random_state=2).fit(X)
    b = CLARANS(5, random_state=2, metric="precomputed").fit(pairwise_distances(X))
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()


def test_clarans_quality_close_to_kmedoids():
    X = blobs(n=800, centers=10)
    ref = KMedoids(10, init="build").fit(X).inertia_
    # at small n the default (2.5% of n - k failures) stops early; a wider search gets close
    fast = CLARANS(10, random_state=0, maxneighbor=0.25).fit(X).inertia_
    assert fast <= 1.02 * ref


def test_clarans_k_one_and_k_n():
    X = blobs(n=30)
    one = CLARANS(1, random_state=0, maxneighbor=1.0).fit(X)
    assert one.inertia_ == pytest.approx(pairwise_distances(X).sum(axis=1).min())
    alln = CLARANS(30, random_state=0).fit(X)
    assert alln.inertia_ == 0


@pytest.mark.parametrize("maxneighbor", [0, -1, 0.0, 1.5])
def test_clarans_bad_maxneighbor(maxneighbor):
    with pytest.raises(ValueError, match="maxneighbor"):
        CLARANS(3, maxneighbor=maxneighbor).fit(blobs(n=50))
