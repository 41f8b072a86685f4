"""Facts users rely on for PPP (clusterkit._ppp): the scikit-learn contract, the same
partition for every seed, the true number of well-separated clusters, a consistent fitted
mixture, and clear refusals of bad input."""
import doctest
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from scipy.cluster.hierarchy import is_valid_linkage
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

import clusterkit._ppp._ppp
import clusterkit._ppp._split
import clusterkit._ppp._tree
from clusterkit import PPP
from clusterkit._ppp._gmm import COVARIANCE_TYPES

sys.path.insert(0, str(Path(__file__).parent))
from ppp_data import separated_blobs  # noqa: E402

# --------------------------------------------------------------------- scikit-learn API
# scikit-learn's estimator checks for PPP run in tests/test_estimator_checks.py.

@pytest.mark.parametrize("module", [clusterkit._ppp._ppp, clusterkit._ppp._tree,
                                    clusterkit._ppp._split], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------- repeatability
def test_same_labels_for_any_random_state_direct():
    X, _ = separated_blobs(n=1200, centers=5, d=4, seed=1)
    ref = PPP(random_state=0).fit(X).labels_
    for seed in range(1, 20):
        np.testing.assert_array_equal(PPP(random_state=seed).fit(X).labels_, ref)


@pytest.mark.parametrize("reduce", [False, True])
def test_row_order_does_not_change_the_partition(reduce):
    X, y = separated_blobs(n=3000, centers=5, d=3, seed=13)
    perm = np.random.RandomState(0).permutation(len(X))
    a = PPP(reduce=reduce, n_codebook=200).fit(X)
    b = PPP(reduce=reduce, n_codebook=200).fit(X[perm])
    assert a.n_clusters_ == b.n_clusters_ == 5
    assert adjusted_rand_score(a.labels_[perm], b.labels_) == 1.0
    if reduce:
        np.testing.assert_array_equal(np.sort(a.codebook_weights_),
                                      np.sort(b.codebook_weights_))


# --------------------------------------------------------------------- number of clusters
@pytest.mark.parametrize("centers, d, seed", [(2, 2, 0), (3, 5, 1), (6, 2, 2), (8, 10, 3)])
def test_separated_blobs_give_the_true_number_of_clusters(centers, d, seed):
    X, y = separated_blobs(n=250 * centers, centers=centers, d=d, seed=seed)
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == centers
    assert adjusted_rand_score(y, ppp.labels_) == 1.0


def test_fragments_cut_off_upstream_do_not_become_clusters():
    # overlapping blobs: an early split cuts a few points off a blob, and they form a
    # leaf of their own; the final mixture must not keep them as a 7th cluster
    centers = np.random.RandomState(4).uniform(-8, 8, size=(6, 4))
    X, y = make_blobs(2400, centers=centers, cluster_std=1.5, random_state=4)
    ppp = PPP().fit(X)
    assert (ppp.tree_.left < 0).sum() == 7  # the tree has the fragment as a leaf
    assert ppp.n_clusters_ == 6
    assert adjusted_rand_score(y, ppp.labels_) > 0.99
    assert sorted(set(ppp.tree_.cluster[ppp.tree_.leaves])) == list(range(6))
    assert is_valid_linkage(ppp.tree_.to_linkage())


@pytest.mark.parametrize("d", [1, 2, 6])
def test_one_gaussian_gives_one_cluster(d):
    rng = np.random.RandomState(d)
    A = rng.normal(size=(d, d)) + 3 * np.eye(d)  # correlated, elongated
    X = rng.normal(size=(3000, d)) @ A
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 1
    assert np.all(ppp.labels_ == 0)
    np.testing.assert_allclose(ppp.means_[0], X.mean(axis=0))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_covariance_types_find_blobs(covariance_type):
    X, y = separated_blobs(n=900, centers=3, d=3, seed=4)
    ppp = PPP(covariance_type=covariance_type).fit(X)
    assert adjusted_rand_score(y, ppp.labels_) == 1.0


def test_max_clusters_keeps_the_largest_gains():
    X, y = separated_blobs(n=1500, centers=6, d=2, seed=5)
    full = PPP().fit(X)
    capped = PPP(max_clusters=3).fit(X)
    assert full.n_clusters_ == 6 and capped.n_clusters_ == 3
    root_gain = full.tree_.gain[0]
    assert capped.tree_.gain[0] == root_gain
    assert "max clusters" in set(capped.tree_.status)


# --------------------------------------------------------------------- fitted model
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fitted_model_is_consistent():
    X, y = separated_blobs(n=1000, centers=4, d=3, seed=6)
    ppp = PPP().fit(X)
    k = ppp.n_clusters_
    np.testing.assert_array_equal(ppp.predict(X), ppp.labels_)
    proba = ppp.predict_proba(X)
    assert proba.shape == (len(X), k)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), ppp.labels_)
    assert ppp.means_.shape == ppp.cluster_centers_.shape == (k, 3)
    assert ppp.covariances_.shape == (k, 3, 3)
    np.testing.assert_allclose(ppp.weights_.sum(), 1.0)
    gm = GaussianMixture(k, covariance_type="full", means_init=ppp.means_,
                         weights_init=ppp.weights_, precisions_init=np.linalg.inv(
                             ppp.covariances_), max_iter=1).fit(X)
    np.testing.assert_allclose(ppp.score(X), gm.score(X), rtol=1e-3)


def test_float32_input_gives_the_same_partition():
    X, y = separated_blobs(n=900, centers=3, d=3, seed=8)
    a = PPP().fit(X).labels_
    b = PPP().fit(X.astype(np.float32)).labels_
    np.testing.assert_array_equal(a, b)


def test_verbose_prints_progress():
    X, _ = separated_blobs(n=300, centers=2, d=2, seed=9)
    out = io.StringIO()
    with redirect_stdout(out):
        PPP(verbose=1).fit(X)
    assert "[PPP] node 0" in out.getvalue() and "2 clusters" in out.getvalue()


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused(bad):
    X, _ = separated_blobs(n=100, centers=2, d=2)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        PPP().fit(X)


def test_fewer_than_two_samples_is_refused():
    with pytest.raises(ValueError, match="minimum of 2"):
        PPP().fit([[1.0, 2.0]])


def test_single_distinct_point_gives_one_cluster():
    X = np.ones((50, 3))
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 1 and np.all(ppp.labels_ == 0)
    assert np.all(np.isfinite(ppp.covariances_))
    assert ppp.tree_.status[0] == "no spread"


def test_constant_features_are_regularised():
    X, y = separated_blobs(n=900, centers=3, d=2, seed=10)
    X = np.column_stack([X, np.full(len(X), 7.0), np.zeros(len(X))])
    ppp = PPP().fit(X)
    assert adjusted_rand_score(y, ppp.labels_) == 1.0
    assert np.all(np.isfinite(ppp.score_samples(X)))


@pytest.mark.parametrize("value, error", [(0, ValueError), (0.0, ValueError),
                                          (1.5, ValueError), (-3, ValueError),
                                          (10_000, ValueError), ("big", ValueError)])
def test_min_cluster_size_out_of_range(value, error):
    X, _ = separated_blobs(n=100, centers=2, d=2)
    with pytest.raises(error, match="min_cluster_size"):
        PPP(min_cluster_size=value).fit(X)


def test_min_cluster_size_fraction_and_count_are_the_same():
    X, _ = separated_blobs(n=1000, centers=4, d=2, seed=11)
    a = PPP(min_cluster_size=0.3).fit(X)
    b = PPP(min_cluster_size=300).fit(X)
    assert a.min_cluster_size_ == b.min_cluster_size_ == 300
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_clusters_ < 4  # blobs of ~250 points cannot be separated any more


@pytest.mark.parametrize("make_sparse", [sp.csr_matrix, sp.csr_array])
def test_sparse_input_is_refused_with_a_clear_error(make_sparse):
    X, _ = separated_blobs(n=100, centers=2, d=2)
    with pytest.raises(TypeError, match="[Ss]parse"):
        PPP().fit(make_sparse(X))


def test_working_memory_bounds_the_chunks_not_the_result():
    X, _ = separated_blobs(n=3000, centers=4, d=3, seed=15)
    ref = PPP(reduce=True, n_codebook=200).fit(X)
    with sklearn.config_context(working_memory=0.01):  # a few dozen rows per chunk
        small = PPP(reduce=True, n_codebook=200).fit(X)
        np.testing.assert_array_equal(small.predict(X), ref.labels_)
        np.testing.assert_allclose(small.predict_proba(X), ref.predict_proba(X),
                                   rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(small.labels_, ref.labels_)
    np.testing.assert_array_equal(small.codebook_, ref.codebook_)
    np.testing.assert_allclose(small.means_, ref.means_, rtol=1e-12)


def test_n_iter_and_converged_describe_the_final_mixture():
    X, _ = separated_blobs(n=900, centers=3, d=2, seed=16)
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 3 and ppp.converged_ and 1 <= ppp.n_iter_ <= 100
    one = PPP().fit(np.random.RandomState(0).normal(size=(500, 2)))
    assert one.n_clusters_ == 1 and one.n_iter_ == 0 and one.converged_
