"""clusterkit.metrics.silhouette and medoid_silhouette: scikit-learn's values, the
definition, clear errors."""
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances, silhouette_samples, silhouette_score

from clusterkit._fast._openmp_helpers import openmp_enabled
from clusterkit.metrics import medoid_silhouette, silhouette


def blobs(seed, n=300, centers=5):
    X, y = make_blobs(n, n_features=3, centers=centers, cluster_std=2.5, random_state=seed)
    return X, y, pairwise_distances(X)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 5, 40])
def test_silhouette_equals_scikit_learn(seed, k):
    X, _, D = blobs(seed)
    labels = np.random.default_rng(seed).integers(0, k, size=len(D))
    labels[:3] = k + 7                           # a label value that is not 0..k-1
    labels[3] = k + 9                            # a singleton cluster
    expected = silhouette_samples(D, labels, metric="precomputed")
    got = silhouette(D, labels, samples=True)
    # per sample: relative 1e-12, plus a tiny absolute term where b - a cancels
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert got[3] == 0.0
    assert silhouette(D, labels) == pytest.approx(
        silhouette_score(D, labels, metric="precomputed"), rel=1e-12)


def test_silhouette_of_a_good_clustering_equals_scikit_learn_on_features():
    X, y, D = blobs(7, centers=4)
    assert silhouette(D, y) == pytest.approx(silhouette_score(X, y), rel=1e-12)


def test_silhouette_of_float32_equals_scikit_learn_on_the_same_values():
    _, y, D = blobs(1)
    D32 = D.astype(np.float32)
    expected = silhouette_score(D32.astype(np.float64), y, metric="precomputed")
    assert silhouette(D32, y) == pytest.approx(expected, rel=1e-12)


def test_silhouette_reads_rows_of_an_asymmetric_matrix_like_scikit_learn():
    rng = np.random.default_rng(0)
    D = rng.uniform(1, 2, size=(40, 40))
    np.fill_diagonal(D, 0)
    labels = rng.integers(0, 3, size=40)
    np.testing.assert_allclose(silhouette(D, labels, samples=True),
                               silhouette_samples(D, labels, metric="precomputed"),
                               rtol=1e-12, atol=1e-14)


def test_silhouette_leaves_the_matrix_untouched_and_accepts_read_only_input():
    _, y, D = blobs(2, n=80)
    D.setflags(write=False)
    before = D.copy()
    silhouette(D, y)
    np.testing.assert_array_equal(D, before)


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_silhouette_does_not_depend_on_the_thread_count():
    _, y, D = blobs(3, n=500)
    assert (silhouette(D, y, samples=True, n_threads=1).tolist()
            == silhouette(D, y, samples=True, n_threads=2).tolist())


@pytest.mark.parametrize("labels, match", [
    (np.zeros(30), "2 <= n_labels"),             # one cluster: not defined
    (np.arange(30), "2 <= n_labels"),            # every object alone
    (np.zeros(29), "labels has shape"),
])
def test_silhouette_rejects_bad_labels(labels, match):
    D = blobs(0, n=30)[2]
    with pytest.raises(ValueError, match=match):
        silhouette(D, labels)


@pytest.mark.parametrize("corrupt, match", [
    (lambda D: D.__setitem__((2, 5), np.nan), "NaN or infinity .*row 2"),
    (lambda D: D.__setitem__((4, 1), np.inf), "NaN or infinity .*row 4"),
    (lambda D: D.__setitem__((6, 3), -1.0), "negative .*row 6"),
    (lambda D: D.__setitem__((8, 8), 1.0), "zero diagonal: D\\[8, 8\\]"),
])
def test_silhouette_rejects_a_bad_matrix(corrupt, match):
    _, y, D = blobs(0, n=30)
    corrupt(D)
    with pytest.raises(ValueError, match=match):
        silhouette(D, y)


def test_silhouette_rejects_a_non_square_matrix():
    with pytest.raises(ValueError, match="square"):
        silhouette(np.zeros((5, 4)), [0, 0, 1, 1, 1])


# ---------------------------------------------------------------------------------------
# medoid silhouette
# ---------------------------------------------------------------------------------------

def test_medoid_silhouette_is_its_definition_and_metric_independent_of_input_form():
    X, _, D = blobs(4)
    med = np.array([3, 50, 120, 200])
    d = np.sort(D[:, med], axis=1)
    expected = 1 - d[:, 0] / d[:, 1]
    got = medoid_silhouette(D, med, metric="precomputed", samples=True)
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert medoid_silhouette(X, med) == pytest.approx(expected.mean(), rel=1e-12)
    assert got[med].tolist() == [1.0] * 4


def test_medoid_silhouette_equals_the_kmedoids_package():
    kmedoids = pytest.importorskip("kmedoids")
    _, _, D = blobs(5)
    med = np.array([1, 77, 150])
    theirs = kmedoids.medoid_silhouette(D, med.astype(np.uintp), True)
    assert medoid_silhouette(D, med, metric="precomputed") == pytest.approx(theirs[0],
                                                                            rel=1e-12)
    np.testing.assert_allclose(medoid_silhouette(D, med, metric="precomputed",
                                                 samples=True), theirs[1], rtol=1e-12)


def test_weighted_medoid_silhouette_equals_duplicated_rows():
    X, _, _ = blobs(6, n=60)
    w = np.random.default_rng(0).integers(1, 4, size=60)
    rows = np.repeat(np.arange(60), w)
    first = np.searchsorted(rows, [0, 20, 40])
    assert medoid_silhouette(X, [0, 20, 40], sample_weight=w) == pytest.approx(
        medoid_silhouette(X[rows], first), rel=1e-12)


@pytest.mark.parametrize("medoids, match", [
    ([4], "at least 2 medoids"),
    ([1, 1], "duplicates"),
    ([0, 99], "out of range"),
])
def test_medoid_silhouette_rejects_bad_medoids(medoids, match):
    X = blobs(0, n=30)[0]
    with pytest.raises(ValueError, match=match):
        medoid_silhouette(X, medoids)


def test_medoid_silhouette_rejects_bad_distances():
    D = blobs(0, n=30)[2]
    D[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        medoid_silhouette(D, [5, 9], metric="precomputed")
    D[3, 5] = -2.0
    with pytest.raises(ValueError, match="negative"):
        medoid_silhouette(D, [5, 9], metric="precomputed")
