"""The n x n matrix KMedoids builds from features: valid by construction, scikit-learn's
values, X's dtype, the same whatever the thread count."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import pairwise_distances

from clusterkit import KMedoids
from clusterkit._medoids._engine import euclidean_dissimilarity, pairwise_dissimilarity


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [5, 256, 700])  # one block, exactly one, several
def test_euclidean_matrix_is_sklearns_exactly_symmetric_and_keeps_the_dtype(dtype, n):
    X = np.random.default_rng(n).normal(size=(n, 6)).astype(dtype)
    D = euclidean_dissimilarity(X, dtype, 1)
    assert D.dtype == dtype and D.flags.c_contiguous
    assert np.array_equal(D, D.T)
    assert (np.diag(D) == 0).all() and (D >= 0).all()
    ref = pairwise_distances(X.astype(np.float64))
    np.testing.assert_allclose(D, ref, rtol=1e-6 if dtype == np.float32 else 1e-12,
                               atol=1e-6 if dtype == np.float32 else 1e-12)


def test_integer_valued_data_gives_sklearns_matrix_bit_for_bit():
    X = np.random.default_rng(0).integers(0, 256, size=(600, 40)).astype(np.float64)
    assert np.array_equal(euclidean_dissimilarity(X, np.float64, 1), pairwise_distances(X))


def test_constant_columns_change_nothing():
    # the blank border of images: left out of the products, the matrix is the same
    rng = np.random.default_rng(5)
    X = rng.integers(0, 256, size=(300, 12)).astype(np.float64)
    X[:, [0, 5]] = 0.0
    X[:, 9] = 7.0
    assert np.array_equal(euclidean_dissimilarity(X, np.float64, 1), pairwise_distances(X))
    Y = rng.normal(size=(300, 4))
    wide = np.hstack([np.full((300, 2), 1e3), Y, np.zeros((300, 3))])
    np.testing.assert_allclose(euclidean_dissimilarity(wide, np.float64, 1),
                               pairwise_distances(Y), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("X", [np.full((4, 3), 2.5), np.ones((1, 2)), np.zeros((0, 3))],
                         ids=["all rows equal", "one row", "no rows"])
def test_degenerate_inputs_give_a_zero_matrix(X):
    D = euclidean_dissimilarity(X, np.float64, 1)
    assert D.shape == (len(X), len(X)) and (D == 0).all()


def test_one_and_two_threads_give_the_same_matrix():
    X = np.random.default_rng(1).normal(size=(900, 5))
    assert np.array_equal(euclidean_dissimilarity(X, np.float64, 1),
                          euclidean_dissimilarity(X, np.float64, 2))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_squared_norms_that_overflow_take_the_checked_path():
    X = np.array([[1e200, 0.0], [0.0, 1e200], [1.0, 1.0]])
    assert euclidean_dissimilarity(X, np.float64, 1) is None
    with pytest.raises(ValueError, match="inf"):
        pairwise_dissimilarity(X)


def test_sparse_and_other_metrics_keep_sklearns_path():
    X = np.random.default_rng(3).normal(size=(50, 4))
    np.testing.assert_allclose(pairwise_dissimilarity(sp.csr_matrix(X)),
                               pairwise_distances(X), atol=1e-12)
    np.testing.assert_allclose(pairwise_dissimilarity(X, "manhattan"),
                               pairwise_distances(X, metric="manhattan"))


def test_kmedoids_on_features_equals_kmedoids_on_sklearns_matrix():
    X = np.random.default_rng(4).normal(size=(400, 8))
    D = pairwise_distances(X)
    a = KMedoids(7, init="build").fit(X)
    b = KMedoids(7, metric="precomputed", init="build").fit(D)
    assert np.array_equal(a.medoid_indices_, b.medoid_indices_)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-12)
