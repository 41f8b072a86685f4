"""DaskCLARA: the quality of in-memory CLARA, without gathering the data; DaskPPP."""
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


def _same_as_clara_independent(X, seed):
    a = DaskCLARA(8, sampling="independent", random_state=seed).fit(
        da.from_array(X, chunks=1000))
    b = CLARA(8, random_state=seed, sampling="independent").fit(X)
    assert a.medoid_indices_.tolist() == b.medoid_indices_.tolist()
    np.testing.assert_allclose(a.sample_losses_, b.sample_losses_, rtol=1e-9)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-9)
    np.testing.assert_array_equal(a.labels_.compute(), b.labels_)
    assert a.n_refine_rounds_ == 0  # the paper's settings: no refinement
    return a


def test_independent_sampling_equals_in_memory_clara_threaded_scheduler(data):
    with dask.config.set(scheduler="threads"):
        for seed in (0, 1):
            _same_as_clara_independent(data, seed)


def test_independent_sampling_equals_in_memory_clara_on_a_local_cluster(client, data):
    a = _same_as_clara_independent(data, 3)
    assert isinstance(a.labels_, da.Array)  # labels stay lazy


def _unequal_blobs():
    rng = np.random.RandomState(0)
    sizes = (rng.pareto(1.0, 50) * 60 + 20).astype(int)  # 20 to ~4000 rows per blob
    return make_blobs(sizes, n_features=10, cluster_std=2.5, random_state=2)[0]


def _digits():
    from sklearn.datasets import load_digits
    return load_digits().data


# measured with seeds 0-4 (DaskCLARA loss / CLARA loss - 1): blobs -0.07% to +0.02%,
# unequal blobs 0.00% to +0.07%, digits (manhattan, cosine) 0.00%
@pytest.mark.parametrize("name, make, k, metric, chunks, seed", [
    ("blobs 20000 x 20, k=100", lambda: make_blobs(20000, n_features=20, centers=100,
                                                   cluster_std=2, random_state=1)[0],
     100, "euclidean", 4000, 0),
    ("unequal blobs, k=50", _unequal_blobs, 50, "euclidean", 2000, 1),
    ("digits, manhattan", _digits, 30, "manhattan", 500, 0),
    ("digits, cosine", _digits, 20, "cosine", 400, 2),
])
def test_default_loss_within_half_a_percent_of_in_memory_clara(name, make, k, metric,
                                                               chunks, seed):
    X = make()
    b = CLARA(k, metric=metric, random_state=seed).fit(X)
    with dask.config.set(scheduler="threads"):
        a = DaskCLARA(k, metric=metric, random_state=seed).fit(
            da.from_array(X, chunks=chunks))
    assert a.inertia_ <= 1.005 * b.inertia_, name
    # the sample phase is in-memory CLARA's, draw for draw
    np.testing.assert_allclose(a.sample_losses_, b.sample_losses_, rtol=1e-9)
    assert a.sample_loss_ == pytest.approx(b.sample_loss_, rel=1e-9)
    assert a.best_sample_ == b.best_sample_
    np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)
    # the refinement ran and can only have lowered the loss
    assert a.n_refine_rounds_ >= 1 and a.inertia_ < a.sample_loss_
    d = pairwise_distances(X, X[a.medoid_indices_], metric=metric).min(axis=1)
    assert a.inertia_ == pytest.approx(d.sum(), rel=1e-9)


def test_loss_equals_numpy_recomputation(data):
    with dask.config.set(scheduler="threads"):
        a = DaskCLARA(8, random_state=0).fit(da.from_array(data, chunks=1000))
        labels = a.labels_.compute()
    d = pairwise_distances(data, data[a.medoid_indices_])
    assert a.inertia_ == pytest.approx(d.min(axis=1).sum(), rel=1e-9)
    np.testing.assert_array_equal(data[a.medoid_indices_], a.cluster_centers_)
    np.testing.assert_array_equal(labels, d.argmin(axis=1))
    assert a.inertia_ <= a.sample_loss_ == a.sample_losses_.min()


def test_same_random_state_same_medoids_on_every_scheduler(client, data):
    X = da.from_array(data, chunks=1000)
    on_cluster = DaskCLARA(8, random_state=11).fit(X)  # the client fixture is the default
    results = [on_cluster]
    for scheduler in ("threads", "sync"):
        with dask.config.set(scheduler=scheduler):
            results.append(DaskCLARA(8, random_state=11).fit(X))
    for r in results[1:]:
        assert r.medoid_indices_.tolist() == on_cluster.medoid_indices_.tolist()
        assert r.inertia_ == on_cluster.inertia_
    with dask.config.set(scheduler="threads"):
        other = DaskCLARA(8, random_state=12).fit(X)
    assert other.sample_indices_.tolist() != on_cluster.sample_indices_.tolist()


@pytest.mark.parametrize("n, k", [(6000, 8), (30000, 4)])  # (30000, 4): clusters > 2000
def test_chunking_does_not_change_the_result(n, k):
    X, _ = make_blobs(n, n_features=3, centers=k, cluster_std=3.0, random_state=3)
    third = n // 3
    chunkings = [n, n // 6, ((third, 0, n - 2 * third, third, 0), (3,))]
    with dask.config.set(scheduler="threads"):
        fits = [DaskCLARA(k, random_state=0).fit(da.from_array(X, chunks=c))
                for c in chunkings]
    for f in fits[1:]:
        assert f.medoid_indices_.tolist() == fits[0].medoid_indices_.tolist()
        assert f.inertia_ == pytest.approx(fits[0].inertia_, rel=1e-12)
        assert f.n_refine_rounds_ == fits[0].n_refine_rounds_
    assert fits[0].n_refine_rounds_ >= 1


def test_tasks_hold_a_chunk_and_the_candidates_never_the_whole_array(data, monkeypatch):
    X = da.from_array(data, chunks=500)
    k = 8
    assign_rows, cost_calls = [], []
    real_assign, real_costs = ckdask._chunk_assign, ckdask._chunk_costs

    def spy_assign(chunk, *args):
        assign_rows.append(np.asarray(chunk).shape[0])
        return real_assign(chunk, *args)

    def spy_costs(chunk, assigned, ranks, cand_X, *args):
        cost_calls.append((np.asarray(chunk).shape[0], len(cand_X)))
        return real_costs(chunk, assigned, ranks, cand_X, *args)

    def forbidden(self, *a, **kw):
        raise AssertionError("the whole dask array was converted to NumPy")

    monkeypatch.setattr(ckdask, "_chunk_assign", spy_assign)
    monkeypatch.setattr(ckdask, "_chunk_costs", spy_costs)
    monkeypatch.setattr(da.Array, "__array__", forbidden)
    with dask.config.set(scheduler="threads"):
        est = DaskCLARA(k, random_state=0).fit(X)
    passes = 5 + est.n_refine_rounds_ + 1  # samples, accepted rounds, the last proposal
    assert len(assign_rows) in (passes * 12, (passes - 1) * 12)  # 12 chunks per pass
    assert max(assign_rows) <= 500 and sum(assign_rows) % len(data) == 0
    assert cost_calls and all(rows <= 500 and c <= k * 33 for rows, c in cost_calls)
    assert len(est.sample_indices_) == max(80 + 4 * k, 20 * k)  # rows gathered per sample


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


def _fit_within(client, X, seconds, **params):
    """DaskCLARA(**params).fit(X) on ``client``, failing the test after ``seconds``."""
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    def fit():
        with client.as_current():
            return DaskCLARA(**params).fit(X)

    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(fit).result(timeout=seconds)
    except TimeoutError:
        pytest.fail(f"the fit did not finish within {seconds} s")
    finally:
        pool.shutdown(wait=False)


def test_fit_survives_a_worker_process_killed_in_the_middle(data, tmp_path):
    """A worker process dies (SIGKILL) halfway through the fit's chunk loads; the nanny
    restarts it, the scheduler recomputes the lost tasks and the assignments held on that
    worker, and the fit ends with the medoids of an undisturbed fit."""
    import os
    import signal
    import uuid

    calls, marker = tmp_path / "calls", tmp_path / "killed"
    calls.mkdir()

    def load(block, kill_at):
        # every load of a chunk leaves a file; the kill_at-th load kills its worker, once
        open(os.path.join(calls, uuid.uuid4().hex), "w").close()
        if len(os.listdir(calls)) >= kill_at:
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return block
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        return block

    base = da.from_array(data, chunks=1000)
    params = dict(n_clusters=8, random_state=5)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, set_as_default=False) as c:
        pids = set(c.run(os.getpid).values())
        ref = _fit_within(c, base.map_blocks(load, 10**9, dtype=data.dtype), 60, **params)
        n_loads = len(os.listdir(calls))
        for f in calls.iterdir():
            f.unlink()
        got = _fit_within(c, base.map_blocks(load, n_loads // 2, dtype=data.dtype), 60,
                          **params)
        assert marker.exists()  # the kill happened
        killed = int(marker.read_text())
        assert killed in pids
        c.wait_for_workers(2, timeout=30)  # the nanny brought a new process up
        assert killed not in set(c.run(os.getpid).values())
    assert ref.n_refine_rounds_ >= 1  # the refinement ran (its passes were disturbed too)
    assert got.medoid_indices_.tolist() == ref.medoid_indices_.tolist()
    assert got.inertia_ == ref.inertia_


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
        for sampling in ("keep_best", "independent"):
            with pytest.raises(ValueError, match="NaN or infinity"):
                DaskCLARA(3, n_sampling=50, n_sampling_iter=1, sampling=sampling,
                          random_state=0).fit(da.from_array(X, chunks=1000))
        with pytest.raises(ValueError, match="n_samples=6000"):
            DaskCLARA(6001).fit(data)
        with pytest.raises(ValueError, match="precomputed"):
            DaskCLARA(3, metric="precomputed").fit(data)
        for empty in (np.empty((10, 0)), da.zeros((10, 0), chunks=5)):
            with pytest.raises(ValueError, match="0 feature"):
                DaskCLARA(2).fit(empty)
        # a sample larger than n is refused, as in memory
        with pytest.raises(ValueError, match="n_sampling=6001 must be between"):
            DaskCLARA(3, n_sampling=6001).fit(data)
        # a refinement with no rounds is refused; without refinement 0 rounds is fine
        with pytest.raises(ValueError, match="refine_iter=0 must be at least 1"):
            DaskCLARA(3, refine_iter=0).fit(data)
        with pytest.raises(ValueError, match="refine_iter=0 must be at least 1"):
            DaskCLARA(3, sampling="independent", refine=True, refine_iter=0).fit(data)
        assert DaskCLARA(3, refine=False, refine_iter=0, random_state=0).fit(
            data).n_refine_rounds_ == 0
        # chunks of unknown size (boolean indexing) get a pointer to the fix
        Xd = da.from_array(data, chunks=1000)
        with pytest.raises(ValueError, match="compute_chunk_sizes"):
            DaskCLARA(3).fit(Xd[Xd[:, 0] > 0])


def test_independent_samples_can_be_refined(data):
    with dask.config.set(scheduler="threads"):
        plain = DaskCLARA(8, sampling="independent", random_state=2).fit(data)
        refined = DaskCLARA(8, sampling="independent", refine=True, random_state=2).fit(data)
    assert refined.sample_loss_ == plain.inertia_
    assert refined.inertia_ <= plain.inertia_


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
    b = CLARA(5, random_state=0).fit(X)
    np.testing.assert_allclose(a.sample_losses_, b.sample_losses_, rtol=1e-9)
    assert labels[a.medoid_indices_].tolist() == list(range(5))


def test_dask_ppp_keeps_float32():
    import dask.array as da

    from clusterkit.dask import DaskPPP
    X, _ = make_blobs(30000, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    ppp = DaskPPP().fit(da.from_array(X.astype(np.float32), chunks=10000))
    assert ppp.means_.dtype == np.float32 and ppp.cluster_centers_.dtype == np.float32
    assert ppp.n_clusters_ == 3
