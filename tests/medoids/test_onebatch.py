"""Facts users rely on for OneBatchPAM (one batch, every object a candidate, refined)."""
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

from clusterkit import KMedoids, OneBatchPAM
from clusterkit._fast._openmp_helpers import openmp_enabled
from clusterkit._medoids._onebatch import default_batch_size

sys.path.insert(0, str(Path(__file__).parent))
from reference import best_swap_for  # noqa: E402


def blobs(n=1500, centers=10, seed=0, d=5, std=1.5):
    X, _ = make_blobs(n, centers=centers, n_features=d, cluster_std=std, random_state=seed)
    return X


def loss(X, medoids, w=None, metric="euclidean"):
    d = pairwise_distances(X, X[medoids], metric=metric).min(axis=1)
    return float(d.sum() if w is None else d @ w)


def test_whole_data_as_batch_gives_a_fasterpam_local_optimum():
    """With every object in the batch and no refinement, no single swap of the result lowers
    the loss: it is what FasterPAM on the full matrix stops at."""
    X = blobs(n=80, centers=4, d=2, std=3.0)
    model = OneBatchPAM(4, batch_size=80, weighting=False, refine=False,
                        random_state=0).fit(X)
    D = pairwise_distances(X)
    med = model.medoid_indices_
    assert model.inertia_ == pytest.approx(loss(X, med))
    assert model.batch_loss_ == pytest.approx(model.inertia_)
    w = np.ones(80)
    td = loss(X, med)
    for c in range(80):
        if c not in med:
            assert best_swap_for(D, med, c, w)[0] >= -1e-12 * td


@pytest.mark.parametrize("seed", range(3))
def test_close_to_full_matrix_fasterpam(seed):
    X = blobs(n=4000, centers=20, seed=seed, d=8, std=2.0)
    full = KMedoids(20, init="build", random_state=0).fit(X)
    model = OneBatchPAM(20, random_state=seed).fit(X)
    assert model.inertia_ <= full.inertia_ * 1.01
    # the refinement never makes the loss worse
    assert model.inertia_ <= model.search_loss_


def test_refinement_lowers_the_loss_of_the_batch_search():
    X = blobs(n=6000, centers=40, d=6, std=2.5)
    coarse = OneBatchPAM(40, batch_size=200, refine=False, random_state=0).fit(X)
    refined = OneBatchPAM(40, batch_size=200, random_state=0).fit(X)
    assert coarse.search_loss_ == refined.search_loss_  # same batch, same search
    assert refined.inertia_ < coarse.inertia_
    assert refined.n_refine_rounds_ >= 1


def test_fitted_attributes_are_consistent():
    X = blobs()
    model = OneBatchPAM(10, random_state=0).fit(X)
    med = model.medoid_indices_
    assert len(set(med.tolist())) == 10
    assert model.inertia_ == pytest.approx(loss(X, med))
    assert np.array_equal(model.labels_, model.predict(X))
    assert np.array_equal(model.cluster_centers_, X[med])
    assert np.all(model.labels_[med] == np.arange(10))
    assert len(model.batch_indices_) == default_batch_size(1500, 10)
    assert np.all(np.diff(model.batch_indices_) > 0)
    assert model.transform(X[:5]).shape == (5, 10)


def test_same_seed_same_result_and_seeds_differ():
    X = blobs()
    a = OneBatchPAM(10, random_state=3).fit(X)
    b = OneBatchPAM(10, random_state=3).fit(X)
    c = OneBatchPAM(10, batch_size=100, random_state=4).fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert not np.array_equal(a.batch_indices_[:100], c.batch_indices_)


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_one_and_two_threads_give_the_same_labels():
    X = blobs(n=5000, centers=30, d=4)
    with threadpool_limits(1, user_api="openmp"):
        one = OneBatchPAM(30, random_state=0).fit(X)
    with threadpool_limits(2, user_api="openmp"):
        two = OneBatchPAM(30, random_state=0).fit(X)
    assert one.medoid_indices_.tolist() == two.medoid_indices_.tolist()
    assert np.array_equal(one.labels_, two.labels_)
    assert one.inertia_ == two.inertia_


def test_precomputed_equals_features():
    """Integer coordinates and manhattan: the block read from the matrix and the block
    computed from the features are equal, so are the results."""
    X = np.round(blobs(n=700, centers=6, d=3) * 2)
    D = pairwise_distances(X, metric="manhattan")
    a = OneBatchPAM(6, metric="manhattan", random_state=0).fit(X)
    b = OneBatchPAM(6, metric="precomputed", random_state=0).fit(D)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert a.inertia_ == pytest.approx(b.inertia_)
    assert b.cluster_centers_ is None


def test_sparse_input_equals_dense():
    X = np.abs(blobs(n=500, centers=5, d=6))
    X[X < 2] = 0
    a = OneBatchPAM(5, random_state=0).fit(X)
    b = OneBatchPAM(5, random_state=0).fit(sp.csr_matrix(X))
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()


def test_float32_block_and_centers_stay_float32():
    X = blobs().astype(np.float32)
    model = OneBatchPAM(10, random_state=0)
    B = model._block(X, np.arange(len(X), dtype=np.intp), np.arange(50, dtype=np.intp))
    assert B.dtype == np.float32
    assert np.all(np.diag(B[:50]) == 0) and np.array_equal(B[:50], B[:50].T)
    model.fit(X)
    assert model.cluster_centers_.dtype == np.float32
    as64 = OneBatchPAM(10, random_state=0).fit(X.astype(np.float64))
    assert model.medoid_indices_.tolist() == as64.medoid_indices_.tolist()


def test_zero_weight_group_gets_no_medoid():
    X = blobs(n=900, centers=3, d=2, std=0.5)
    far = X[:300] + 1000.0
    Xw = np.vstack([X, far])
    w = np.r_[np.ones(900), np.zeros(300)]
    model = OneBatchPAM(3, random_state=0).fit(Xw, sample_weight=w)
    assert np.all(model.medoid_indices_ < 900)
    assert model.inertia_ == pytest.approx(loss(Xw, model.medoid_indices_, w))


def test_scaling_the_weights_changes_nothing():
    X = blobs()
    w = np.random.default_rng(0).integers(1, 5, size=len(X)).astype(float)
    a = OneBatchPAM(10, random_state=0).fit(X, sample_weight=w)
    b = OneBatchPAM(10, random_state=0).fit(X, sample_weight=3 * w)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    assert b.inertia_ == pytest.approx(3 * a.inertia_)


def test_one_cluster_is_the_batch_medoid():
    X = blobs(n=300, centers=2)
    model = OneBatchPAM(1, batch_size=300, weighting=False, refine=False,
                        random_state=0).fit(X)
    D = pairwise_distances(X)
    assert model.medoid_indices_.tolist() == [int(np.argmin(D.sum(axis=1)))]


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_clusters=3, batch_size=301), "batch_size=301 must be between n_clusters=3 and "
                                         "n_samples=300"),
    (dict(n_clusters=10, batch_size=5), "batch_size=5 must be between n_clusters=10"),
    (dict(n_clusters=301), "n_clusters=301"),
    (dict(n_clusters=3, refine_iter=0), "refine_iter=0 must be at least 1 when refining"),
])
def test_bad_parameters_name_the_problem(kwargs, message):
    X = blobs(n=300, centers=3)
    with pytest.raises(ValueError, match=message):
        OneBatchPAM(random_state=0, **kwargs).fit(X)


def test_nan_and_inf_are_refused():
    X = blobs(n=100, centers=2)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        OneBatchPAM(2).fit(X)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        OneBatchPAM(2).fit(X)


def test_block_too_large_for_memory_is_refused_before_allocating(monkeypatch):
    import clusterkit._utils._memory as memory
    monkeypatch.setattr(memory, "available_memory", lambda: 10_000)
    with pytest.raises(MemoryError, match="block of distances to the batch.*batch_size"):
        OneBatchPAM(3, random_state=0).fit(blobs(n=300, centers=3))


def test_verbose_reports_the_phases(capsys):
    OneBatchPAM(5, random_state=0, verbose=1).fit(blobs(n=400, centers=5))
    err = capsys.readouterr()
    text = err.out + err.err
    for phase in ("block of 400 x", "swap phase", "refinement", "done"):
        assert phase in text
