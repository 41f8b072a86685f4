"""The silhouette kernels called directly, against the from-scratch NumPy references in
tests/medoids/reference_msc.py: same medoids, labels, objective and swap counts."""
import signal
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import pairwise_distances

from clusterkit._fast import _msc
from clusterkit._fast._openmp_helpers import openmp_enabled

sys.path.insert(0, str(Path(__file__).parents[1] / "medoids"))
import reference_msc as ref  # noqa: E402


def integer_matrix(seed, n, zeros=False):
    """Integer-valued distances (many exact ties); with ``zeros``, duplicated points too."""
    rng = np.random.default_rng(seed)
    if zeros:
        X = rng.integers(0, 4, size=(max(4, n // 2), 2)).astype(float)
        X = X[rng.integers(0, len(X), size=n)]
        return pairwise_distances(X, metric="manhattan")
    X = rng.normal(size=(n, 2))
    D = np.round(pairwise_distances(X) * 5) + 1
    np.fill_diagonal(D, 0)
    return D


def start(rng, n, k):
    return np.sort(rng.choice(n, k, replace=False)).astype(np.intp)


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_fastmsc_and_pammedsil_kernels_equal_the_reference(seed, zeros):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 35))
    k = int(rng.integers(2, 6))
    D = integer_matrix(seed, n, zeros)
    w = rng.integers(0, 3, size=n).astype(float) if zeros else np.ones(n)
    w[0] = max(w[0], 1.0)
    init = start(rng, n, k)
    med, lab, sil, n_iter, n_swaps = ref.pammedsil(D, init, w)
    for kernel in (_msc.fastmsc, _msc.pammedsil):
        got = kernel(D, init, w)
        assert got[0].tolist() == med.tolist()
        assert got[1].tolist() == lab.tolist()
        assert got[2] == pytest.approx(float(w @ D[:, med].min(axis=1)))
        assert got[3] == pytest.approx(sil, abs=1e-12)
        assert (got[4], got[5]) == (n_iter, n_swaps)


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_fastermsc_kernel_equals_the_reference(seed, zeros):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 35))
    k = int(rng.integers(2, 6))
    D = integer_matrix(seed, n, zeros)
    w = np.ones(n) if seed % 2 else rng.integers(1, 4, size=n).astype(float)
    order = rng.permutation(n).astype(np.intp) if seed % 3 == 0 else np.arange(n, dtype=np.intp)
    init = start(rng, n, k)
    med, lab, sil, n_iter, n_swaps = ref.fastermsc(D, init, w, order)
    got = _msc.fastermsc(D, init, w, order)
    assert got[0].tolist() == med.tolist()
    assert got[1].tolist() == lab.tolist()
    assert got[3] == pytest.approx(sil, abs=1e-12)
    assert (got[4], got[5]) == (n_iter, n_swaps)


@pytest.mark.parametrize("seed", range(6))
def test_pamsil_kernel_equals_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 22))
    k = int(rng.integers(2, 4))
    D = integer_matrix(seed, n, zeros=seed % 2 == 1)
    init = start(rng, n, k)
    med, lab, sil, n_iter, n_swaps = ref.pamsil(D, init)
    got = _msc.pamsil(D, init)
    assert got[0].tolist() == med.tolist()
    assert got[1].tolist() == lab.tolist()
    assert got[3] == pytest.approx(sil, abs=1e-12)
    assert (got[4], got[5]) == (n_iter, n_swaps)


@pytest.mark.parametrize("seed", range(5))
def test_removal_changes_and_medoid_silhouette_equal_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = 40
    D = integer_matrix(seed, n, zeros=seed % 2 == 1)
    w = rng.integers(1, 4, size=n).astype(float)
    for k in (2, 3, 6):
        med = start(rng, n, k)
        sil, removal = _msc.msc_summary(D, med, w)
        if k > 2:  # with one medoid left the medoid silhouette is not defined
            assert removal == pytest.approx(ref.removal_changes(D, med, w), abs=1e-12)
        expected = ref.medoid_silhouette_samples(D, med)
        assert sil == pytest.approx(float(w @ expected / w.sum()), abs=1e-12)
        got = _msc.medoid_silhouette_samples(np.ascontiguousarray(D[:, med]))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_silhouette_kernel_equals_the_definition(seed):
    rng = np.random.default_rng(seed)
    n = 50
    D = integer_matrix(seed, n, zeros=seed % 2 == 1)
    labels = rng.integers(0, 4, size=n)
    labels[:4] = np.arange(4)
    labels[4] = 4                                  # a singleton cluster: silhouette 0
    s, bad = _msc.silhouette_samples(D, labels.astype(np.intp), 5)
    np.testing.assert_allclose(s, ref.silhouette_samples(D, labels), rtol=1e-13, atol=1e-15)
    assert s[4] == 0.0 and not bad.any()


def test_silhouette_kernel_flags_bad_rows():
    D = integer_matrix(0, 20)
    D[3, 7] = np.nan
    D[5, 2] = -1.0
    _, bad = _msc.silhouette_samples(D, (np.arange(20) % 3).astype(np.intp), 3)
    assert np.flatnonzero(bad).tolist() == [3, 5]
    assert bad[3] == 1 and bad[5] == 2


@pytest.mark.parametrize("kernel", ["fastmsc", "fastermsc", "pammedsil", "pamsil"])
def test_float32_gives_the_float64_result(kernel):
    D64 = integer_matrix(3, 40)
    D32 = D64.astype(np.float32)
    init = np.array([0, 5, 9], dtype=np.intp)
    w = np.ones(40)
    args = {"fastmsc": (w,), "pammedsil": (w,), "pamsil": (),
            "fastermsc": (w, np.arange(40, dtype=np.intp))}[kernel]
    a = getattr(_msc, kernel)(D64, init, *args)
    b = getattr(_msc, kernel)(D32, init, *args)
    assert a[0].tolist() == b[0].tolist() and a[3] == b[3]


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
@pytest.mark.parametrize("kernel", ["fastmsc", "fastermsc", "pammedsil", "pamsil"])
def test_one_and_two_threads_give_identical_results(kernel):
    rng = np.random.default_rng(1)
    n = {"pamsil": 80, "pammedsil": 120}.get(kernel, 600)
    X = np.vstack([rng.normal(c, 1.0, size=(n // 6, 3)) for c in range(6)])
    D = pairwise_distances(X)
    n = len(D)
    init = start(rng, n, 6)
    w = rng.integers(1, 3, size=n).astype(float)
    args = {"fastmsc": (w,), "pammedsil": (w,), "pamsil": (),
            "fastermsc": (w, np.arange(n, dtype=np.intp))}[kernel]
    one = getattr(_msc, kernel)(D, init, *args, n_threads=1)
    two = getattr(_msc, kernel)(D, init, *args, n_threads=2)
    assert one[0].tolist() == two[0].tolist() and one[1].tolist() == two[1].tolist()
    assert one[2:] == two[2:]
    s1, _ = _msc.silhouette_samples(D, one[1], 6, n_threads=1)
    s2, _ = _msc.silhouette_samples(D, one[1], 6, n_threads=2)
    assert s1.tolist() == s2.tolist()


def test_fastermsc_kernel_rejects_a_bad_order():
    D = integer_matrix(0, 30)
    with pytest.raises(ValueError, match="order"):
        _msc.fastermsc(D, np.arange(3), np.ones(30), np.arange(20))


@pytest.mark.parametrize("kernel", ["fastmsc", "pamsil"])
def test_ctrl_c_interrupts_a_long_silhouette_kernel(kernel):
    rng = np.random.default_rng(0)
    n = 2000 if kernel == "fastmsc" else 400
    D = pairwise_distances(rng.normal(size=(n, 2)))
    init = np.arange(40 if kernel == "fastmsc" else 8, dtype=np.intp)
    args = (np.ones(n),) if kernel == "fastmsc" else ()
    old = signal.signal(signal.SIGALRM,
                        lambda *a: signal.default_int_handler(signal.SIGINT, None))
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt) as exc:
            getattr(_msc, kernel)(D, init, *args, max_iter=10_000)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    frames = traceback.extract_tb(exc.value.__traceback__)
    assert any(f.filename.endswith("_msc.pyx") for f in frames)
