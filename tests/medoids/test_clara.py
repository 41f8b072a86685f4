"""Facts users rely on for CLARA and CLARANS."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import clusterkit._medoids._base as base_mod
import clusterkit._medoids._clarans as clarans_mod
import clusterkit._medoids._engine as engine_mod
from clusterkit import CLARA, CLARANS, KMedoids


def blobs(n=600, centers=8, seed=0, d=4):
    X, _ = make_blobs(n, centers=centers, n_features=d, cluster_std=2.0, random_state=seed)
    return X


def full_loss(X, medoids):
    return pairwise_distances(X, X[medoids]).min(axis=1).sum()


# ---------------------------------------------------------------------------------------
# CLARA
# ---------------------------------------------------------------------------------------

def test_returns_the_best_sample_not_the_last():
    """Regression for scikit-learn-extra 0.3.0, which returns the last sample's medoids."""
    last_was_worse = 0
    for seed in range(8):
        X = blobs(seed=seed)
        c = CLARA(8, n_sampling=40, n_sampling_iter=6, refine=False,
                  random_state=seed).fit(X)
        assert c.inertia_ == pytest.approx(c.sample_losses_.min())
        assert c.best_sample_ == int(np.argmin(c.sample_losses_))
        assert full_loss(X, c.medoid_indices_) == pytest.approx(c.inertia_)
        last_was_worse += c.sample_losses_[-1] > c.sample_losses_.min()
    assert last_was_worse > 0  # the check above was not vacuous


@pytest.mark.parametrize("method", ["fasterpam", "fastpam2", "pam"])
def test_attributes_are_consistent(method):
    X = blobs()
    c = CLARA(8, method=method, random_state=0).fit(X)
    np.testing.assert_array_equal(X[c.medoid_indices_], c.cluster_centers_)
    np.testing.assert_array_equal(c.predict(X), c.labels_)
    assert c.inertia_ == pytest.approx(full_loss(X, c.medoid_indices_), rel=1e-9)
    assert c.score(X) == pytest.approx(-c.inertia_)
    assert c.transform(X[:5]).shape == (5, 8)
    assert len(c.sample_indices_) == (max(80 + 4 * 8, 20 * 8) if method != "pam"
                                      else 40 + 2 * 8)


def test_later_samples_contain_the_best_medoids_so_far(monkeypatch):
    seen = []
    original = CLARA._sample_matrix

    def spy(self, X, rows):
        seen.append(rows.copy())
        return original(self, X, rows)

    monkeypatch.setattr(CLARA, "_sample_matrix", spy)
    X = blobs()
    losses_medoids = []
    original_full = CLARA._full_loss

    def spy_full(self, X, medoids, w):
        out = original_full(self, X, medoids, w)
        losses_medoids.append((out[0], medoids.copy()))
        return out

    monkeypatch.setattr(CLARA, "_full_loss", spy_full)
    CLARA(8, n_sampling_iter=5, refine=False, random_state=1).fit(X)
    best_loss, best_med = np.inf, None
    for rows, (loss, med) in zip(seen, losses_medoids):
        if best_med is not None:
            assert set(best_med.tolist()) <= set(rows.tolist())
        if loss < best_loss:
            best_loss, best_med = loss, med


def test_same_random_state_same_result():
    X = blobs()
    a = CLARA(8, random_state=3).fit(X)
    b = CLARA(8, random_state=3).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    np.testing.assert_array_equal(a.sample_losses_, b.sample_losses_)


@pytest.mark.parametrize("method", ["fasterpam", "fastpam2", "pam"])
def test_sample_as_large_as_n_equals_kmedoids(method):
    X = blobs(n=200)
    c = CLARA(5, method=method, init="build", n_sampling=200, n_sampling_iter=2,
              random_state=0).fit(X)
    k = KMedoids(5, method=method, init="build").fit(X)
    assert c.medoid_indices_.tolist() == k.medoid_indices_.tolist()
    assert c.inertia_ == pytest.approx(k.inertia_)


def test_never_builds_an_n_by_n_matrix(monkeypatch):
    X = blobs(n=3000)
    largest = []
    real = pairwise_distances

    def spy(A, B=None, **kw):
        out = real(A, B, **kw)
        largest.append(out.size)
        return out

    for module in (engine_mod, base_mod, clarans_mod):  # every caller of the metric
        monkeypatch.setattr(module, "pairwise_distances", spy)
    CLARA(10, random_state=0).fit(X).predict(X)
    CLARANS(10, random_state=0, maxneighbor=20).fit(X)
    assert max(largest) < 3000 * 3000 / 10


def test_sparse_and_precomputed_input():
    X = blobs(n=300)
    X[np.abs(X) < 3] = 0
    a = CLARA(4, random_state=0).fit(sp.csr_matrix(X))
    b = CLARA(4, random_state=0).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    D = pairwise_distances(X)
    c = CLARA(4, metric="precomputed", random_state=0).fit(D)
    assert c.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert c.cluster_centers_ is None
    np.testing.assert_array_equal(c.predict(D), c.labels_)


def test_weights_enter_the_full_loss():
    X = blobs(n=300)
    w = np.random.default_rng(0).integers(1, 4, size=300).astype(float)
    c = CLARA(4, random_state=0).fit(X, sample_weight=w)
    d = pairwise_distances(X, X[c.medoid_indices_]).min(axis=1)
    assert c.inertia_ == pytest.approx(np.dot(w, d))


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_sampling=3), "n_sampling=3 must be between"),
    (dict(n_sampling=1000), "n_sampling=1000 must be between"),
    (dict(n_sampling_iter=0), "n_sampling_iter"),
    (dict(method="alternate"), "method"),
])
def test_clara_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CLARA(5, **kwargs).fit(blobs(n=100))


def test_clara_bad_data():
    X = blobs(n=50)
    X[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        CLARA(3).fit(X)
    with pytest.raises(ValueError, match="n_samples=10"):
        CLARA(11).fit(blobs(n=10))


# ---------------------------------------------------------------------------------------
# predict / transform / score on new data, CLARA and CLARANS alike
# ---------------------------------------------------------------------------------------

ESTIMATORS = [lambda **kw: CLARA(6, random_state=0, **kw),
              lambda **kw: CLARANS(6, random_state=0, maxneighbor=0.2, **kw)]


@pytest.mark.parametrize("make", ESTIMATORS, ids=["CLARA", "CLARANS"])
def test_new_data_queries_with_features(make):
    X = blobs(n=300)
    est = make().fit(X)
    rows = [3, 50, 299]
    np.testing.assert_array_equal(est.predict(X[rows]), est.labels_[rows])
    np.testing.assert_array_equal(est.predict(X[est.medoid_indices_]), np.arange(6))
    T = est.transform(X[rows])
    assert T.shape == (3, 6)
    np.testing.assert_allclose(T, pairwise_distances(X[rows], X[est.medoid_indices_]))
    assert est.score(X[rows]) == pytest.approx(-T.min(axis=1).sum())
    with pytest.raises(ValueError, match="expecting 4 features"):
        est.predict(X[:, :3])


@pytest.mark.parametrize("make", ESTIMATORS, ids=["CLARA", "CLARANS"])
def test_new_data_queries_precomputed(make):
    X = blobs(n=300)
    D = pairwise_distances(X)
    est = make(metric="precomputed").fit(D)
    Q = pairwise_distances(X[[7, 100, 250]], X)  # queries equal to training rows 7, 100, 250
    np.testing.assert_array_equal(est.predict(Q), est.labels_[[7, 100, 250]])
    np.testing.assert_array_equal(est.predict(D[est.medoid_indices_]), np.arange(6))
    np.testing.assert_array_equal(est.transform(Q), Q[:, est.medoid_indices_])
    assert est.transform(Q).shape == (3, 6)
    assert est.score(Q, sample_weight=[1, 2, 0]) == pytest.approx(
        -np.dot([1, 2, 0], Q[:, est.medoid_indices_].min(axis=1)))
    assert est.score(D) == pytest.approx(-est.inertia_)
    with pytest.raises(ValueError, match="expecting 300 features"):
        est.predict(Q[:, :299])
    with pytest.raises(ValueError, match="negative"):
        est.predict(-Q)
