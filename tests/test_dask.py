"""DaskCLARA: the same answer as in-memory CLARA, without gathering the data."""
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import clusterkit.dask as ckdask  # noqa: E402
from clusterkit import CLARA  # noqa: E402
from clusterkit.dask import DaskCLARA  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture
def data():
    X, _ = make_blobs(6000, n_features=4, centers=8, cluster_std=2.0, random_state=0)
    return X


def _same_as_clara(X, seed):
    a = DaskCLARA(8, random_state=seed).fit(da.from_array(X, chunks=1000))
    b = CLARA(8, random_state=seed, sampling="independent").fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    np.testing.assert_allclose(a.sample_losses_, b.sample_losses_, rtol=1e-9)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-9)
    np.testing.assert_array_equal(a.labels_.compute(), b.labels_)
    return a


def test_equals_in_memory_clara_threaded_scheduler(data):
    with dask.config.set(scheduler="threads"):
        for seed in (0, 1):
            _same_as_clara(data, seed)


def test_equals_in_memory_clara_on_a_local_cluster(client, data):
    a = _same_as_clara(data, 3)
    assert isinstance(a.labels_, da.Array)  # labels stay lazy


def test_loss_equals_numpy_recomputation(data):
    with dask.config.set(scheduler="threads"):
        a = DaskCLARA(8, random_state=0).fit(da.from_array(data, chunks=1000))
    d = pairwise_distances(data, data[a.medoid_indices_]).min(axis=1)
    assert a.inertia_ == pytest.approx(d.sum(), rel=1e-9)
    np.testing.assert_array_equal(data[a.medoid_indices_], a.cluster_centers_)


def test_never_gathers_the_whole_array(data, monkeypatch):
    X = da.from_array(data, chunks=500)
    seen = []
    real = ckdask._chunk_losses

    def spy(chunk, *args):
        seen.append(np.asarray(chunk).shape[0])
        return real(chunk, *args)

    def forbidden(self, *a, **kw):
        raise AssertionError("the whole dask array was converted to NumPy")

    monkeypatch.setattr(ckdask, "_chunk_losses", spy)
    monkeypatch.setattr(da.Array, "__array__", forbidden)
    with dask.config.set(scheduler="threads"):
        est = DaskCLARA(8, random_state=0).fit(X)
    assert max(seen) <= 500 and sum(seen) == len(data)  # one pass, chunk by chunk
    n_gathered = len(np.unique(np.concatenate([est.sample_indices_])))
    assert n_gathered <= 5 * (80 + 4 * 8)


_FAILED = []
_REAL_CLUSTER_ONE = ckdask._cluster_one


def _flaky_cluster_one(*args):
    """Fails the first time it runs (module level: distributed pickles the task)."""
    if not _FAILED:
        _FAILED.append(1)
        raise RuntimeError("simulated worker failure")
    return _REAL_CLUSTER_ONE(*args)


def test_failed_task_is_retried_without_changing_the_result(client, data, monkeypatch):
    expected = DaskCLARA(8, random_state=5).fit(data)
    monkeypatch.setattr(ckdask, "_cluster_one", _flaky_cluster_one)
    _FAILED.clear()
    got = DaskCLARA(8, random_state=5, retries=2).fit(data)
    assert _FAILED == [1]
    assert got.medoid_indices_.tolist() == expected.medoid_indices_.tolist()
    assert got.inertia_ == expected.inertia_

    _FAILED.clear()
    with pytest.raises(RuntimeError, match="simulated worker failure"):
        DaskCLARA(8, random_state=5, retries=0).fit(data)


def test_predict_and_transform_follow_the_input_type(data):
    with dask.config.set(scheduler="threads"):
        est = DaskCLARA(8, random_state=0).fit(data)
        Xd = da.from_array(data, chunks=1000)
        assert isinstance(est.predict(Xd), da.Array)
        np.testing.assert_array_equal(est.predict(Xd).compute(), est.predict(data))
        assert est.transform(data[:7]).shape == (7, 8)
        assert est.score(data) == pytest.approx(-est.inertia_, rel=1e-9)


def test_bad_input(data):
    X = data.copy()
    X[4000, 1] = np.nan
    with dask.config.set(scheduler="threads"):
        with pytest.raises(ValueError, match="NaN or infinity"):
            DaskCLARA(3, n_sampling=50, n_sampling_iter=1, random_state=0).fit(
                da.from_array(X, chunks=1000))
        with pytest.raises(ValueError, match="n_samples=6000"):
            DaskCLARA(6001).fit(data)
        with pytest.raises(ValueError, match="precomputed"):
            DaskCLARA(3, metric="precomputed").fit(data)


def test_core_never_imports_dask_and_the_error_names_the_extra(monkeypatch):
    out = subprocess.run([sys.executable, "-c",
                          "import sys, clusterkit; print('dask' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r"clusterkit\[dask\]"):
        ckdask._import_dask()


# ---------------------------------------------------------------------------------------
# PPP on Dask
# ---------------------------------------------------------------------------------------

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from clusterkit import PPP  # noqa: E402
from clusterkit.dask import DaskPPP  # noqa: E402


def test_daskppp_equals_ppp_where_both_fit_directly():
    X, _ = make_blobs(3000, n_features=3, centers=4, random_state=1)
    with dask.config.set(scheduler="threads"):
        a = DaskPPP().fit(da.from_array(X, chunks=700))
    b = PPP().fit(X)
    assert a.n_clusters_ == b.n_clusters_
    np.testing.assert_array_equal(np.asarray(a.labels_), b.labels_)
    np.testing.assert_allclose(a.means_, b.means_)


def test_daskppp_codebook_over_chunks_finds_the_same_partition(monkeypatch):
    X, y = make_blobs(50000, n_features=4, centers=5, cluster_std=0.5, random_state=2)
    b = PPP().fit(X)  # in memory, with its own codebook (n > 20 000)

    def forbidden(self, *a, **kw):
        raise AssertionError("the whole dask array was converted to NumPy")

    monkeypatch.setattr(da.Array, "__array__", forbidden)
    with dask.config.set(scheduler="threads"):
        a = DaskPPP(random_state=0).fit(da.from_array(X, chunks=12000))
        assert isinstance(a.labels_, da.Array)
        labels = a.labels_.compute()
        again = DaskPPP(random_state=7).fit(da.from_array(X, chunks=12000))
        assert (again.labels_.compute() == labels).all()  # no randomness anywhere
    assert a.reduced_ and a.codebook_weights_.sum() == len(X)
    assert a.n_clusters_ == b.n_clusters_ == 5
    assert adjusted_rand_score(labels, b.labels_) == 1.0
    monkeypatch.undo()
    np.testing.assert_array_equal(a.predict(X), labels)


def test_daskppp_labels_and_predict_run_on_a_distributed_cluster(client):
    X, _ = make_blobs(30000, n_features=3, centers=3, cluster_std=0.5, random_state=4)
    a = DaskPPP().fit(da.from_array(X, chunks=10000))
    labels = a.labels_.compute()  # the task graph travels through the scheduler
    np.testing.assert_array_equal(a.predict(da.from_array(X, chunks=7000)).compute(), labels)
    assert a.n_clusters_ == 3


def test_empty_chunks_are_harmless():
    X, _ = make_blobs(3000, n_features=2, centers=3, cluster_std=0.5, random_state=0)
    Xd = da.from_array(X, chunks=((1000, 0, 2000), (2,)))
    with dask.config.set(scheduler="threads"):
        p = DaskPPP(reduce=True, n_codebook=300).fit(Xd)
        c = DaskCLARA(3, random_state=0).fit(Xd)
    assert p.n_clusters_ == 3
    assert c.labels_.compute().shape == (3000,)


def test_medoid_self_distance_is_zero_as_in_memory():
    # far from the origin, euclidean_distances' rounding makes d(x, x) visibly nonzero
    X, _ = make_blobs(3000, n_features=3, centers=5, random_state=0)
    X = X + 1e4
    with dask.config.set(scheduler="threads"):
        a = DaskCLARA(5, random_state=0).fit(da.from_array(X, chunks=700))
        labels = a.labels_.compute()
    b = CLARA(5, random_state=0, sampling="independent").fit(X)
    np.testing.assert_allclose(a.sample_losses_, b.sample_losses_, rtol=1e-9)
    assert labels[a.medoid_indices_].tolist() == list(range(5))
