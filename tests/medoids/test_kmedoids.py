"""Facts users rely on for k-medoids: exactness against PAM and a from-scratch reference,
thread and dtype independence, weights as duplicates, and the estimator's contract."""
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import clusterkit
from clusterkit import KMedoids
from clusterkit._fast._openmp_helpers import openmp_enabled

sys.path.insert(0, str(Path(__file__).parent))
import reference as ref  # noqa: E402

SWAPPERS = {
    "fasterpam": clusterkit.fasterpam,
    "fastpam1": clusterkit.fastpam1,
    "fastpam2": clusterkit.fastpam2,
    "pam": clusterkit.pam,
    "alternate": clusterkit.alternating,
}


def integer_matrix(seed, n, d=2, scale=10):
    """Integer-valued euclidean distances: exact float arithmetic, ties possible."""
    X = np.random.default_rng(seed).normal(size=(n, d))
    return np.round(pairwise_distances(X) * scale)


def blobs_matrix(seed, n=300, centers=6, dtype=np.float64):
    X, _ = make_blobs(n_samples=n, centers=centers, cluster_std=1.5, random_state=seed)
    return pairwise_distances(X.astype(dtype)).astype(dtype)


def local_optimum_gap(D, medoids):
    """Best single-swap change from these medoids (>= 0 at a local optimum)."""
    best = np.inf
    for c in range(len(D)):
        if c not in medoids:
            best = min(best, ref.best_swap_for(D, np.array(medoids), c, np.ones(len(D)))[0])
    return best


# ---------------------------------------------------------------------------------------
# Kernels against the reference
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_fastpam1_gives_exactly_pams_medoids(seed):
    rng = np.random.default_rng(seed)
    D = integer_matrix(seed, int(rng.integers(20, 60)))
    k = int(rng.integers(2, 7))
    a, b = clusterkit.fastpam1(D, k), clusterkit.pam(D, k)
    assert a.medoids.tolist() == b.medoids.tolist()
    assert a.loss == b.loss and a.n_swaps == b.n_swaps


@pytest.mark.parametrize("seed", range(12))
def test_kernels_equal_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 45))
    D = integer_matrix(seed, n)
    k = int(rng.integers(2, 6))
    init = np.sort(rng.choice(n, k, replace=False))
    for name, mine, theirs in [("fasterpam", clusterkit.fasterpam, ref.fasterpam),
                               ("fastpam1", clusterkit.fastpam1, ref.pam),
                               ("pam", clusterkit.pam, ref.pam),
                               ("alternate", clusterkit.alternating, ref.alternating)]:
        a = mine(D, init)
        med, lab, loss, n_iter, n_swaps = theirs(D, init)
        assert a.medoids.tolist() == med.tolist(), name
        assert a.labels.tolist() == lab.tolist(), name
        assert a.loss == loss and a.n_swaps == n_swaps, name
    assert clusterkit.build(D, k).medoids.tolist() == ref.build(D, k).tolist()


@pytest.mark.parametrize("method", ["fasterpam", "fastpam1", "fastpam2", "pam"])
def test_swap_methods_end_in_a_local_optimum(method):
    D = integer_matrix(3, 50)
    res = SWAPPERS[method](D, 4, init="random", random_state=0)
    assert local_optimum_gap(D, res.medoids) >= 0
    assert res.loss == ref.loss(D, res.medoids)


def test_fast_methods_reach_pams_loss():
    gaps = {m: [] for m in ("fasterpam", "fastpam2", "alternate")}
    for seed in range(5):
        D = blobs_matrix(seed, n=250)
        best = clusterkit.pam(D, 6).loss
        for m in gaps:
            res = SWAPPERS[m](D, 6, init="build")
            gaps[m].append(res.loss / best - 1)
    assert np.mean(gaps["fasterpam"]) < 0.01
    assert np.mean(gaps["fastpam2"]) < 0.01
    assert np.mean(gaps["alternate"]) < 0.10


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
@pytest.mark.parametrize("method", ["fasterpam", "fastpam1", "fastpam2", "pam", "alternate"])
@pytest.mark.parametrize("init", ["random", "build", "k-medoids++"])
def test_one_and_two_threads_give_identical_results(method, init):
    D = blobs_matrix(1, n=400 if method == "pam" else 900, centers=12)
    k = 12
    one = SWAPPERS[method](D, k, init=init, random_state=7, n_threads=1)
    two = SWAPPERS[method](D, k, init=init, random_state=7, n_threads=2)
    assert one.medoids.tolist() == two.medoids.tolist()
    assert one.labels.tolist() == two.labels.tolist()
    assert one.loss == two.loss and one.n_swaps == two.n_swaps and one.n_iter == two.n_iter


@pytest.mark.parametrize("method", list(SWAPPERS))
def test_float32_and_float64_agree(method):
    D64 = blobs_matrix(2, n=200)
    D32 = D64.astype(np.float32)
    a = SWAPPERS[method](D64, 6, init="build")
    b = SWAPPERS[method](D32, 6, init="build")
    assert a.medoids.tolist() == b.medoids.tolist()
    assert b.loss == pytest.approx(a.loss, rel=1e-5)


@pytest.mark.parametrize("method", ["pam", "fastpam1", "fasterpam"])
def test_integer_sample_weights_equal_duplicated_rows(method):
    rng = np.random.default_rng(5)
    n = 30
    X = rng.normal(size=(n, 2))
    w = rng.integers(1, 4, size=n)
    rows = np.repeat(np.arange(n), w)          # duplicated copies sit next to each other
    D = np.round(pairwise_distances(X) * 10)
    Ddup = D[np.ix_(rows, rows)]
    first = np.searchsorted(rows, np.arange(n))  # position of each object's first copy
    init = np.array([0, 7, 19])
    a = SWAPPERS[method](D, init, sample_weight=w)
    b = SWAPPERS[method](Ddup, first[init])
    assert rows[b.medoids].tolist() == a.medoids.tolist()
    assert a.loss == b.loss


def test_weighted_estimator_matches_duplicates_for_build_init():
    X, _ = make_blobs(60, centers=3, random_state=0)
    w = np.random.default_rng(0).integers(1, 4, size=60)
    km_w = KMedoids(3, init="build", method="pam").fit(X, sample_weight=w)
    km_d = KMedoids(3, init="build", method="pam").fit(np.repeat(X, w, axis=0))
    assert km_w.inertia_ == pytest.approx(km_d.inertia_)
    np.testing.assert_array_equal(km_w.cluster_centers_, km_d.cluster_centers_)


def test_same_result_as_kmedoids_package():
    kmedoids = pytest.importorskip("kmedoids")
    X, _ = make_blobs(800, n_features=5, centers=10, random_state=0)
    D = pairwise_distances(X)
    for seed in range(3):
        init = np.random.default_rng(seed).choice(800, 10, replace=False)
        theirs = kmedoids.fasterpam(D, init.copy(), n_cpu=1)
        mine = clusterkit.fasterpam(D, init)
        assert mine.medoids.tolist() == list(theirs.medoids)
        assert mine.loss == pytest.approx(theirs.loss, rel=1e-12)
        assert (mine.n_iter, mine.n_swaps) == (theirs.n_iter, theirs.n_swap)


def test_k_equal_one_is_the_minimum_row_sum():
    D = blobs_matrix(0, n=100)
    for m in SWAPPERS.values():
        res = m(D, 1)
        assert res.medoids.tolist() == [int(np.argmin(D.sum(axis=1)))]
        assert res.loss == pytest.approx(D.sum(axis=1).min())
        assert np.all(res.labels == 0)


@pytest.mark.parametrize("init", ["random", "build", "lab", "k-medoids++"])
def test_fewer_distinct_points_than_k_warns_and_returns_k_medoids(init):
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    with pytest.warns(UserWarning, match="distinct"):
        km = KMedoids(4, init=init, random_state=0).fit(X)
    assert len(set(km.medoid_indices_.tolist())) == 4
    assert km.inertia_ == 0.0
    assert sorted(set(km.labels_.tolist())) == [0, 1, 2, 3]


def test_medoid_is_assigned_to_itself_when_another_medoid_coincides():
    D = np.zeros((4, 4))
    D[:2, 2:] = D[2:, :2] = 1.0
    with pytest.warns(UserWarning, match="Only 2 of the 3 medoids are distinct"):
        res = clusterkit.fasterpam(D, np.array([0, 1, 2]))
    assert res.labels[0] == 0 and res.labels[1] == 1


@pytest.mark.parametrize("init", ["random", "build", "lab", "k-medoids++"])
def test_inits_are_valid_and_reproducible(init):
    X, _ = make_blobs(300, centers=8, random_state=3)
    a = KMedoids(8, init=init, random_state=42, max_iter=1).fit(X)
    b = KMedoids(8, init=init, random_state=42, max_iter=1).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert len(set(a.medoid_indices_.tolist())) == 8


def test_lab_and_kmedoidspp_start_better_than_random():
    D = blobs_matrix(4, n=600, centers=10)
    rnd = np.mean([ref.loss(D, np.random.default_rng(s).choice(600, 10, replace=False))
                   for s in range(5)])
    for init in ("lab", "k-medoids++", "build"):
        start = clusterkit.fasterpam(D, 10, init=init, random_state=0, max_iter=1)
        assert clusterkit.lab(D, 10, random_state=0).loss < rnd
        assert start.loss < rnd


def test_shuffled_order_is_reproducible_and_converges():
    D = blobs_matrix(5, n=300)
    a = clusterkit.fasterpam(D, 6, shuffle=True, random_state=3)
    b = clusterkit.fasterpam(D, 6, shuffle=True, random_state=3)
    assert a.medoids.tolist() == b.medoids.tolist()
    assert a.loss <= clusterkit.build(D, 6).loss * 1.05


# ---------------------------------------------------------------------------------------
# Estimator contract
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", list(SWAPPERS))
def test_estimator_attributes_are_consistent(method):
    X, _ = make_blobs(200, centers=5, random_state=0)
    km = KMedoids(5, method=method, random_state=0).fit(X)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(X[km.medoid_indices_], km.cluster_centers_)
    D = pairwise_distances(X)
    assert km.inertia_ == pytest.approx(D[:, km.medoid_indices_].min(axis=1).sum(), rel=1e-12)
    assert km.transform(X).shape == (200, 5)
    assert km.score(X) == pytest.approx(-km.inertia_)
    assert km.n_iter_ >= 1 and km.n_swaps_ >= 0
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)


def test_precomputed_input_is_not_modified_and_equals_feature_input():
    X, _ = make_blobs(150, centers=4, random_state=1)
    D = pairwise_distances(X)
    D_copy = D.copy()
    a = KMedoids(4, metric="precomputed", random_state=0).fit(D)
    np.testing.assert_array_equal(D, D_copy)
    b = KMedoids(4, random_state=0).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert a.cluster_centers_ is None
    np.testing.assert_array_equal(a.predict(D), a.labels_)
    D.setflags(write=False)  # read-only and memory-mapped matrices work too
    KMedoids(4, metric="precomputed", random_state=0).fit(D)


def test_sparse_input_equals_dense():
    X, _ = make_blobs(120, centers=3, random_state=2)
    X[np.abs(X) < 2] = 0
    a = KMedoids(3, random_state=0).fit(sp.csr_matrix(X))
    b = KMedoids(3, random_state=0).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    np.testing.assert_array_equal(a.predict(sp.csr_matrix(X)), b.labels_)


def test_other_metrics_and_callables():
    X, _ = make_blobs(100, centers=3, random_state=2)
    a = KMedoids(3, metric="manhattan", random_state=0).fit(X)
    b = KMedoids(3, metric=lambda u, v: np.abs(u - v).sum(), random_state=0).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    c = KMedoids(3, metric="minkowski", metric_params={"p": 1}, random_state=0).fit(X)
    assert c.medoid_indices_.tolist() == a.medoid_indices_.tolist()


def test_float32_is_kept():
    X, _ = make_blobs(100, centers=3, random_state=2)
    km = KMedoids(3, random_state=0).fit(X.astype(np.float32))
    assert km.cluster_centers_.dtype == np.float32
    km64 = KMedoids(3, random_state=0).fit(X)
    assert km.medoid_indices_.tolist() == km64.medoid_indices_.tolist()


def test_integer_and_bool_input_are_accepted():
    X = np.random.default_rng(0).integers(0, 5, size=(50, 3))
    km = KMedoids(3, random_state=0).fit(X)
    assert km.inertia_ > 0
    KMedoids(2, metric="hamming", random_state=0).fit(X > 2)


def test_init_array_is_used():
    X, _ = make_blobs(100, centers=3, random_state=2)
    km = KMedoids(3, init=np.array([0, 1, 2]), max_iter=1, method="alternate").fit(X)
    assert km.n_iter_ == 1


# ---------------------------------------------------------------------------------------
# Bad input: clear errors before any kernel runs
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_or_inf_in_features(value, match):
    X = np.ones((10, 2))
    X[3, 1] = value
    with pytest.raises(ValueError, match=match):
        KMedoids(2).fit(X)


@pytest.mark.parametrize("make, match", [
    (lambda D: D[:, :-1], "square"),
    (lambda D: np.where(np.eye(len(D)) > 0, np.nan, D), "NaN"),
    (lambda D: -D, "negative"),
    (lambda D: D + np.triu(np.ones_like(D), 1), "not symmetric"),
    (lambda D: D + np.eye(len(D)), "zero diagonal"),
])
def test_bad_precomputed_matrices(make, match):
    D = pairwise_distances(np.random.default_rng(0).normal(size=(10, 2)))
    with pytest.raises(ValueError, match=match):
        KMedoids(2, metric="precomputed").fit(make(D))
    with pytest.raises(ValueError, match=match):
        clusterkit.fasterpam(make(D), 2)


@pytest.mark.parametrize("k, match", [(0, r"at least 1|range \[1, inf\)"),
                                      (11, "n_samples=10")])
def test_bad_n_clusters(k, match):
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match=match):
        KMedoids(k).fit(X)
    if k > 0:
        with pytest.raises(ValueError, match=match):
            clusterkit.fasterpam(pairwise_distances(X), k)


@pytest.mark.parametrize("init, match", [(np.array([0, 0, 1]), "duplicates"),
                                         (np.array([0, 1, 10]), "out of range"),
                                         (np.array([0, 1]), "n_clusters=3"),
                                         (np.array([0.5, 1, 2]), "integer")])
def test_bad_init_arrays(init, match):
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises((ValueError, TypeError), match=match):
        KMedoids(3, init=init).fit(X)


def test_empty_input():
    with pytest.raises(ValueError, match="0 sample"):
        KMedoids(2).fit(np.empty((0, 3)))
    with pytest.raises(ValueError, match="empty"):
        clusterkit.fasterpam(np.empty((0, 0)), 1)


@pytest.mark.parametrize("w, match", [(np.ones(9), "shape"), (-np.ones(10), "negative"),
                                      (np.zeros(10), "zero everywhere"),
                                      (np.full(10, np.nan), "NaN")])
def test_bad_sample_weight(w, match):
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match=match):
        KMedoids(2).fit(X, sample_weight=w)


def test_bad_method_and_init_names():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="method"):
        KMedoids(2, method="fast").fit(X)
    with pytest.raises(ValueError, match="init"):
        KMedoids(2, init="kmeans++").fit(X)
