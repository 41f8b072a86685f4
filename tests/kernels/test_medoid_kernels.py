"""The k-medoids kernels called directly: thread counts, argument checks, Ctrl-C, and the
CLARANS steps on the shared state (their estimator-level facts are in tests/medoids)."""
import signal
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import clusterkit
from clusterkit._fast import _clarans, _fasterpam
from clusterkit._fast._openmp_helpers import effective_n_threads, openmp_enabled

sys.path.insert(0, str(Path(__file__).parents[1] / "medoids"))
from reference import fasterpam_block  # noqa: E402


def blobs_matrix(seed, n=300, centers=6):
    X, _ = make_blobs(n_samples=n, centers=centers, cluster_std=1.5, random_state=seed)
    return pairwise_distances(X)


def test_ctrl_c_interrupts_a_long_kernel():
    D = blobs_matrix(0, n=1500, centers=40)
    old = signal.signal(signal.SIGALRM, lambda *a: signal.default_int_handler(signal.SIGINT,
                                                                              None))
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt) as exc:
            clusterkit.pam(D, np.arange(40), max_iter=1000)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # raised from inside the kernel, not after it returned
    frames = traceback.extract_tb(exc.value.__traceback__)
    assert any(f.filename.endswith("_medoid_swap.pyx") for f in frames)


def test_thread_count_helper():
    assert effective_n_threads(1) == 1
    assert effective_n_threads() >= 1
    with pytest.raises(ValueError, match="n_threads=0"):
        effective_n_threads(0)


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_fewer_threads_granted_than_asked_gives_the_same_result():
    """OMP_THREAD_LIMIT (or OMP_DYNAMIC, or a nested region) can grant fewer threads than
    requested; the FasterPAM team must share its work by the team it actually got."""
    import os
    import subprocess
    import sys
    code = (
        "import numpy as np, clusterkit\n"
        "from sklearn.metrics import pairwise_distances\n"
        "X = np.random.default_rng(0).normal(size=(1500, 2))\n"
        "D = pairwise_distances(X)\n"
        "r = [clusterkit.fasterpam(D, np.arange(10), n_threads=t) for t in (1, 2, 3)]\n"
        "print(all(x.medoids.tolist() == r[0].medoids.tolist() and x.loss == r[0].loss"
        " and x.labels.tolist() == r[0].labels.tolist() for x in r))\n")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_fasterpam_kernel_rejects_a_bad_order():
    D = blobs_matrix(0, n=50)
    with pytest.raises(ValueError, match="order"):
        _fasterpam.fasterpam(D, np.arange(3), np.ones(50), np.arange(40))


def test_fastclarans_picks_the_best_slot():
    X, _ = make_blobs(200, centers=8, n_features=4, cluster_std=2.0, random_state=0)
    D = pairwise_distances(X)
    w = np.ones(200)
    rng = np.random.default_rng(0)
    for _ in range(20):
        med = np.sort(rng.choice(200, 6, replace=False))
        state, td = _clarans.new_state(med, D[:, med], w)
        c = int(rng.choice(np.setdiff1d(np.arange(200), med)))
        change, slot = _clarans.best_slot_change(state, D[c], w)
        pair = [_clarans.pair_change(state, D[c], i, w) for i in range(6)]
        assert slot == int(np.argmin(pair))
        assert change == pytest.approx(min(pair), abs=1e-9)
        # and the change is what a from-scratch recomputation gives
        new = med.copy()
        new[slot] = c
        assert td + change == pytest.approx(D[:, new].min(axis=1).sum())


def assert_scan_gives_the_exact_changes(D, w, rng, rtol, atol):
    """For k = 2, 5, 13 random medoids and up to 8 random candidates: the best-slot change
    of the candidate scan is the least of the exact pair changes, at its slot."""
    n = len(D)
    for k in (2, 5, 13):
        if k >= n:
            continue
        med = np.sort(rng.choice(n, k, replace=False))
        state, td = _clarans.new_state(med, D[:, med], w)
        for c in rng.choice(np.setdiff1d(np.arange(n), med), min(8, n - k), replace=False):
            change, slot = _clarans.best_slot_change(state, D[c], w)
            pair = [_clarans.pair_change(state, D[c], i, w) for i in range(k)]
            assert change == pytest.approx(min(pair), rel=rtol, abs=atol), (n, k, c)
            assert pair[slot] == pytest.approx(min(pair), rel=rtol, abs=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_candidate_scan_equals_the_exact_change_for_every_size(dtype):
    # sizes around the scan's chunks (8 objects) and blocks (256), weights not all one,
    # fewer and more slots than the four partial sums (k = 1 never reaches the kernels:
    # the engine solves it exactly)
    rng = np.random.default_rng(5)
    for n in (3, 7, 8, 9, 255, 256, 257, 600):
        X = rng.normal(size=(n, 3))
        D = np.ascontiguousarray(pairwise_distances(X), dtype=dtype)
        assert_scan_gives_the_exact_changes(D, rng.uniform(0.5, 3.0, n), rng, 1e-9, 1e-9)


def test_candidate_scan_is_exact_when_distances_share_a_float32_value():
    # the scan lists objects by float32 upper bounds of the second-nearest distances: here
    # every distance lies between 1 and the next float32 (1 + 2**-23), so almost every
    # object is listed although only some contribute; those that do not must add zero.
    # The changes are sums of n terms below 2**-23 each: they are compared absolutely
    rng = np.random.default_rng(3)
    for n in (9, 257, 600):
        A = 1.0 + rng.integers(0, 500, size=(n, n)) * 2.0**-33
        D = np.triu(A, 1)
        D = D + D.T
        assert_scan_gives_the_exact_changes(D, rng.uniform(0.5, 3.0, n), rng, 0, 1e-13)


def _block(seed, n_cand=160, n=40, d=3, integer=False):
    """Distances of n_cand candidates to the first n of them (the batch objects first)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_cand, d))
    if integer:  # many ties
        X = np.round(X * 2)
    return np.ascontiguousarray(pairwise_distances(X, X[:n], metric="cityblock"))


@pytest.mark.parametrize("seed", range(6))
def test_fasterpam_on_a_block_equals_the_reference(seed):
    B = _block(seed, integer=seed % 2 == 1)
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 4, size=B.shape[1]).astype(np.float64)
    order = rng.permutation(B.shape[0]).astype(np.intp)
    start = np.sort(rng.choice(B.shape[1], 5, replace=False)).astype(np.intp)
    med, lab, loss, n_iter, n_swaps = _fasterpam.fasterpam(B, start, w, order)
    ref_med, ref_loss, ref_iter, ref_swaps = fasterpam_block(B, start, w, order)
    assert med.tolist() == ref_med.tolist()
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert (n_iter, n_swaps) == (ref_iter, ref_swaps)
    # labels of the batch objects: nearest medoid, and a medoid in the batch is its own
    assert np.allclose(B[med][lab, np.arange(B.shape[1])], B[med].min(axis=0))
    for slot, m in enumerate(med):
        if m < B.shape[1]:
            assert lab[m] == slot
    # candidates outside the batch were used: the block is not the square sub-matrix
    assert n_swaps > 0


def test_fasterpam_square_block_is_plain_fasterpam():
    B = _block(3, n_cand=60, n=60)
    start = np.arange(4, dtype=np.intp)
    a = _fasterpam.fasterpam(B, start, np.ones(60), np.arange(60, dtype=np.intp))
    b = clusterkit.fasterpam(B, start)
    assert a[0].tolist() == b.medoids.tolist() and a[2] == b.loss


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_fasterpam_on_a_block_same_with_two_threads():
    B = _block(7, n_cand=3000, n=300, d=5).astype(np.float32)
    start = np.arange(12, dtype=np.intp)
    order = np.random.default_rng(0).permutation(3000).astype(np.intp)
    one = _fasterpam.fasterpam(B, start, np.ones(300), order, n_threads=1)
    two = _fasterpam.fasterpam(B, start, np.ones(300), order, n_threads=2)
    assert one[0].tolist() == two[0].tolist() and one[2] == two[2]
    assert one[1].tolist() == two[1].tolist()


def test_fasterpam_block_with_fewer_rows_than_columns_is_refused():
    B = np.ascontiguousarray(_block(0, n_cand=40, n=40)[:30])
    with pytest.raises(ValueError, match="30 rows .* 40 columns"):
        _fasterpam.fasterpam(B, np.arange(3), np.ones(40), np.arange(30, dtype=np.intp))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["fasterpam", "fastpam1", "fastpam2"])
def test_float32_matrix_gives_the_swaps_of_its_float64_copy(method, seed):
    """The float32 scan tests ``d(o, c) < ds[o]`` in float32 (exact, since every cached
    distance is a value of D): the same values as float64 give the same swaps."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 3))
    if seed % 2:
        X = np.round(X * 2)  # integer-valued manhattan distances: many exact ties
    D32 = pairwise_distances(X, metric="cityblock").astype(np.float32)
    D64 = D32.astype(np.float64)
    start = np.sort(rng.choice(400, 8, replace=False))
    a = getattr(clusterkit, method)(D32, start)
    b = getattr(clusterkit, method)(D64, start)
    assert a.medoids.tolist() == b.medoids.tolist()
    assert (a.n_iter, a.n_swaps) == (b.n_iter, b.n_swaps)
    assert a.loss == pytest.approx(b.loss, rel=1e-12)
    assert np.array_equal(a.labels, b.labels)


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_default_thread_count_leaves_busy_cores_alone(monkeypatch):
    """On a machine whose cores are busy the default is the idle cores: two threads
    spinning in OpenMP barriers against another job were 2-4x slower than one."""
    import os

    from threadpoolctl import threadpool_limits

    from clusterkit._fast._openmp_helpers import idle_cpus
    assert idle_cpus(2, 1.0) == 2 and idle_cpus(2, 2.8) == 1 and idle_cpus(8, 100.0) == 1
    cpus = os.cpu_count() or 1
    with threadpool_limits(cpus, user_api="openmp"):
        monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
        assert effective_n_threads() == cpus
        monkeypatch.setattr(os, "getloadavg", lambda: (cpus + 1.0, 0.0, 0.0))
        assert effective_n_threads() == 1
        assert effective_n_threads(2) == 2  # an explicit count is used as given
        monkeypatch.delattr(os, "getloadavg")
        assert effective_n_threads() == cpus


def test_own_load_is_this_process_cpu_time_over_the_last_minute(monkeypatch):
    """A process whose own threads made the load average is not slowed by it: its CPU
    time over the window is subtracted, so a busy loop of two-thread fits keeps two."""
    import time

    from clusterkit._fast import _openmp_helpers as oh

    clock = {"wall": 1000.0, "cpu": 50.0}
    monkeypatch.setattr(time, "monotonic", lambda: clock["wall"])
    monkeypatch.setattr(time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(oh, "_own_samples", oh.deque([(1000.0, 50.0)]))
    assert oh.own_load() == 1.0  # no time has passed: the caller's one thread
    clock.update(wall=1030.0, cpu=110.0)  # two CPUs busy for 30 s
    assert oh.own_load() == pytest.approx(2.0)
    clock.update(wall=1090.0, cpu=125.0)  # then 60 s mostly idle: the window moves on
    assert oh.own_load() == 1.0  # 15 s of CPU in 60 s, but at least the caller's thread
    assert [t for t, _ in oh._own_samples] == [1030.0, 1090.0]  # older ones dropped
    clock.update(wall=1100.0, cpu=265.0)  # 140 s of CPU in 10 s would be 14 CPUs
    assert oh.own_load() == pytest.approx((265.0 - 110.0) / 70.0)  # since 1030 s
    assert oh.idle_cpus(2, 2.0, own=2.0) == 2 and oh.idle_cpus(2, 3.0, own=2.0) == 1
