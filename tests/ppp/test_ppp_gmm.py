"""The weighted Gaussian-mixture EM (clusterkit._ppp._gmm): weights equal duplicates, the
unweighted fit equals scikit-learn's, codebook statistics give exact or bounded fits."""
import numpy as np
import pytest
import sklearn
from scipy.special import logsumexp
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

from clusterkit._ppp._gmm import (
    COVARIANCE_TYPES,
    compute_precisions_cholesky,
    estimate_parameters,
    fit_weighted_mixture,
    summary_scatter,
    weighted_log_prob,
)


def _hard_resp(labels, k):
    return np.eye(k)[labels]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_weighted_em_with_integer_weights_equals_duplicated_rows(covariance_type):
    X, y = make_blobs(200, n_features=3, centers=3, cluster_std=2.5, random_state=0)
    w = np.random.RandomState(0).randint(1, 5, size=len(X))
    resp = _hard_resp(y, 3)
    a = fit_weighted_mixture(X, resp, w, covariance_type=covariance_type, tol=1e-12,
                             max_iter=30)
    b = fit_weighted_mixture(np.repeat(X, w, axis=0), np.repeat(resp, w, axis=0),
                             covariance_type=covariance_type, tol=1e-12, max_iter=30)
    np.testing.assert_allclose(a.means, b.means, rtol=1e-10)
    np.testing.assert_allclose(a.covariances, b.covariances, rtol=1e-10)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10)
    np.testing.assert_allclose(a.log_likelihood, b.log_likelihood, rtol=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_unweighted_em_matches_scikit_learn(covariance_type):
    X, y = make_blobs(300, n_features=3, centers=3, cluster_std=2.5, random_state=1)
    resp = _hard_resp(y, 3)
    ours = fit_weighted_mixture(X, resp, covariance_type=covariance_type, tol=1e-12,
                                max_iter=20)
    pi, mu, cov = estimate_parameters(X, resp, np.ones(len(X)), None, 1e-6, covariance_type)
    L = compute_precisions_cholesky(cov, covariance_type, 1e-6)
    if covariance_type == "full":
        prec = np.einsum("kab,kcb->kac", L, L)
    elif covariance_type == "tied":
        prec = L @ L.T
    else:
        prec = L ** 2
    gm = GaussianMixture(3, covariance_type=covariance_type, weights_init=pi, means_init=mu,
                         precisions_init=prec, tol=1e-12, max_iter=20).fit(X)
    np.testing.assert_allclose(ours.means, gm.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.covariances, gm.covariances_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.log_likelihood, gm.score(X) * len(X), rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_codebook_statistics_give_the_exact_one_component_fit(covariance_type):
    X, _ = make_blobs(500, n_features=4, centers=3, random_state=2)
    cells = KMeans(40, n_init=1, random_state=0).fit_predict(X)
    counts = np.bincount(cells).astype(float)
    means = np.stack([X[cells == j].mean(axis=0) for j in range(40)])
    scatter = summary_scatter(X, cells, means, 40, covariance_type)
    a = fit_weighted_mixture(means, np.ones((40, 1)), counts, scatter=scatter,
                             covariance_type=covariance_type, max_iter=0)
    b = fit_weighted_mixture(X, np.ones((len(X), 1)), covariance_type=covariance_type,
                             max_iter=0)
    np.testing.assert_allclose(a.covariances, b.covariances, rtol=1e-10)
    np.testing.assert_allclose(a.log_likelihood, b.log_likelihood, rtol=1e-10)


def test_codebook_em_likelihood_is_a_lower_bound_that_increases():
    X, y = make_blobs(600, n_features=2, centers=3, cluster_std=2.0, random_state=3)
    cells = KMeans(60, n_init=1, random_state=0).fit_predict(X)
    counts = np.bincount(cells).astype(float)
    means = np.stack([X[cells == j].mean(axis=0) for j in range(60)])
    scatter = summary_scatter(X, cells, means, 60, "full")
    resp = _hard_resp(np.array([np.bincount(y[cells == j], minlength=3).argmax()
                                for j in range(60)]), 3)
    previous = -np.inf
    for n_iter in range(0, 12, 3):
        fit = fit_weighted_mixture(means, resp, counts, scatter=scatter, tol=0,
                                   max_iter=n_iter)
        assert fit.log_likelihood >= previous - 1e-9
        previous = fit.log_likelihood
    # the points' own log-likelihood at the fitted parameters is at least the bound
    exact_ll = logsumexp(weighted_log_prob(X, fit.weights, fit.means,
                                           fit.precisions_cholesky, "full"), axis=1).sum()
    assert fit.log_likelihood <= exact_ll + 1e-9


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_summary_scatter_does_not_depend_on_the_chunk_size(covariance_type):
    X, _ = make_blobs(700, n_features=3, centers=2, random_state=4)
    cells = KMeans(5, n_init=1, random_state=0).fit_predict(X)
    means = np.stack([X[cells == j].mean(axis=0) for j in range(5)])
    ref = summary_scatter(X, cells, means, 5, covariance_type)
    with sklearn.config_context(working_memory=0.001):  # 14 rows per chunk
        chunked = summary_scatter(X, cells, means, 5, covariance_type)
    np.testing.assert_allclose(chunked, ref, rtol=1e-12)
    diff = X - means[cells]
    exact = np.stack([diff[cells == j].T @ diff[cells == j] for j in range(5)])
    np.testing.assert_allclose(ref, exact if covariance_type == "full"
                               else np.diagonal(exact, axis1=1, axis2=2), rtol=1e-10)
