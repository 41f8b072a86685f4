"""Facts users rely on for the refinement on all the data (CLARA's second phase)."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

from clusterkit import CLARA, KMedoids
from clusterkit._medoids import refine_medoids


def blobs(n=600, centers=8, seed=0, d=4):
    X, _ = make_blobs(n, centers=centers, n_features=d, cluster_std=2.0, random_state=seed)
    return X


def full_loss(X, medoids, w=None, metric="euclidean"):
    d = pairwise_distances(X, X[medoids], metric=metric).min(axis=1)
    return float(d.sum() if w is None else np.dot(w, d))


def rng(seed=0):
    return np.random.RandomState(seed)


@pytest.mark.parametrize("max_members", [None, 20])
def test_refinement_never_increases_the_loss(max_members):
    for seed in range(6):
        X = blobs(seed=seed)
        start = rng(seed).choice(len(X), 8, replace=False)
        res = refine_medoids(X, start, max_members=max_members, random_state=rng(seed))
        assert res.loss <= full_loss(X, start)
        assert res.loss == pytest.approx(full_loss(X, res.medoids))
        assert all(b < a for a, b in zip(res.losses, res.losses[1:]))
        assert res.n_rounds == len(res.losses) - 1


def test_clara_refined_loss_is_at_most_the_sample_loss_and_consistent():
    for seed in range(4):
        X = blobs(n=1500, centers=12, seed=seed)
        c = CLARA(12, n_sampling=60, random_state=seed).fit(X)
        assert c.inertia_ <= c.sample_loss_
        assert c.inertia_ == pytest.approx(full_loss(X, c.medoid_indices_))
        np.testing.assert_array_equal(c.predict(X), c.labels_)
        off = CLARA(12, n_sampling=60, refine=False, random_state=seed).fit(X)
        assert off.n_refine_rounds_ == 0 and off.inertia_ == pytest.approx(c.sample_loss_)


def test_refinement_closes_most_of_a_small_sample_gap():
    X = blobs(n=3000, centers=20, seed=1, d=6)
    exact = KMedoids(20, init="build").fit(X).inertia_
    raw = CLARA(20, n_sampling=80, refine=False, random_state=0).fit(X).inertia_
    refined = CLARA(20, n_sampling=80, random_state=0).fit(X).inertia_
    assert refined - exact < 0.5 * (raw - exact)


def test_default_clara_within_two_percent_of_full_matrix_fasterpam():
    X = blobs(n=4000, centers=30, seed=2, d=8)
    exact = KMedoids(30, init="build").fit(X).inertia_
    for seed in range(3):
        assert CLARA(30, random_state=seed).fit(X).inertia_ <= 1.02 * exact


def test_integer_weights_equal_duplicated_rows():
    X = blobs(n=200, seed=3)
    w = rng(1).randint(1, 4, size=len(X))
    Xdup = np.repeat(X, w, axis=0)
    first = np.concatenate([[0], np.cumsum(w)[:-1]])  # row of each object's first copy
    start = rng(2).choice(len(X), 8, replace=False)
    # every member a candidate, every member judged: nothing random left to differ
    kw = dict(n_near=10**6, n_random=0, max_members=None)
    a = refine_medoids(X, start, w.astype(float), random_state=rng(0), **kw)
    b = refine_medoids(Xdup, first[start], random_state=rng(0), **kw)
    np.testing.assert_array_equal(X[a.medoids], Xdup[b.medoids])
    assert a.loss == pytest.approx(b.loss)
    assert a.loss == pytest.approx(full_loss(X, a.medoids, w))


def test_same_result_for_sparse_precomputed_and_callable_metric():
    X = blobs(n=300)
    X[np.abs(X) < 2] = 0
    start = np.arange(0, 300, 50)
    ref = refine_medoids(X, start, metric="manhattan", random_state=rng(0))
    for Xin, kw in [(sp.csr_matrix(X), dict(metric="manhattan")),
                    (pairwise_distances(X, metric="manhattan"), dict(precomputed=True)),
                    (X, dict(metric=lambda u, v: np.abs(u - v).sum()))]:
        got = refine_medoids(Xin, start, random_state=rng(0), **kw)
        assert got.medoids.tolist() == ref.medoids.tolist()
        assert got.loss == pytest.approx(ref.loss)


def test_float32_is_kept():
    X = blobs().astype(np.float32)
    c = CLARA(8, random_state=0).fit(X)
    assert c.cluster_centers_.dtype == np.float32
    assert c.transform(X[:3]).dtype == np.float32
    assert c.inertia_ == pytest.approx(full_loss(X.astype(np.float64), c.medoid_indices_),
                                       rel=1e-5)


def test_same_random_state_same_result_with_sampled_judging():
    X = blobs(n=2000, centers=4)
    runs = [refine_medoids(X, [0, 1, 2, 3], max_members=50, random_state=rng(7))
            for _ in range(2)]
    assert runs[0].medoids.tolist() == runs[1].medoids.tolist()
    assert runs[0].losses == runs[1].losses


def test_one_and_two_threads_give_the_same_clara():
    X = blobs(n=2000, centers=10)
    out = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads):
            out.append(CLARA(10, random_state=0).fit(X))
    assert out[0].medoid_indices_.tolist() == out[1].medoid_indices_.tolist()
    assert out[0].inertia_ == out[1].inertia_


@pytest.mark.parametrize("kwargs, match", [
    (dict(max_rounds=0), "max_rounds=0 must be at least 1"),
    (dict(n_near=0, n_random=0), "at least one candidate"),
    (dict(max_members=0), "max_members=0"),
])
def test_refine_bad_budgets(kwargs, match):
    with pytest.raises(ValueError, match=match):
        refine_medoids(blobs(n=50), [0, 1], **kwargs)


def test_clara_bad_refinement_parameters():
    X = blobs(n=100)
    with pytest.raises(ValueError, match="refine_iter=0 must be at least 1"):
        CLARA(3, refine_iter=0).fit(X)
    CLARA(3, refine=False, refine_iter=0).fit(X)  # no refinement: the budget is unused
    with pytest.raises(ValueError, match="refine"):
        CLARA(3, refine="sometimes").fit(X)
