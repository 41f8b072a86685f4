"""X-means and G-means, the classic k-means-splitting baselines PPP is measured against.

Internal (used by ``benchmarks/bench_ppp.py``); written from the papers:

- X-means: D. Pelleg and A. Moore, "X-means: Extending K-means with Efficient Estimation of
  the Number of Clusters", ICML 2000. Every cluster is split by 2-means; the split is kept
  when the BIC of a two-centre identical-spherical-Gaussian model of the cluster's points
  beats the one-centre model; then k-means runs on all centres.
- G-means: G. Hamerly and C. Elkan, "Learning the k in k-means", NIPS 2003. A cluster is
  split when its points, projected on the line joining the two 2-means centres, fail the
  Anderson-Darling normality test at significance ``alpha``.
"""
import numpy as np
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state


def _spherical_bic(X, labels, centers):
    """BIC (higher is better) of identical spherical Gaussians with hard assignments."""
    n, d = X.shape
    k = centers.shape[0]
    if n <= k:
        return -np.inf
    sse = float(((X - centers[labels]) ** 2).sum())
    var = max(sse / (d * (n - k)), np.finfo(np.float64).tiny)
    sizes = np.bincount(labels, minlength=k)
    sizes = sizes[sizes > 0]
    loglik = (sizes * np.log(sizes / n)).sum() - 0.5 * n * d * np.log(2 * np.pi * var) \
        - 0.5 * sse / var
    n_params = (k - 1) + k * d + 1
    return loglik - 0.5 * n_params * np.log(n)


def _split_until_stable(X, k_max, min_size, split):
    """The loop X-means and G-means share: k-means on the current centres, then every
    cluster of at least ``min_size`` points is offered to ``split(points, centre)``, which
    returns the two child centres or None; stops when no cluster splits or at ``k_max``.
    Returns (labels, centers)."""
    centers = X.mean(axis=0, keepdims=True)
    while True:
        km = KMeans(len(centers), init=centers, n_init=1).fit(X)
        centers, labels = km.cluster_centers_, km.labels_
        new = []
        for j in range(len(centers)):
            Xj = X[labels == j]
            children = None
            if len(Xj) >= min_size and len(centers) + len(new) - j < k_max:
                children = split(Xj, centers[j])
            if children is None:
                new.append(centers[j])
            else:
                new.extend(children)
        if len(new) == len(centers):
            return labels, centers
        centers = np.array(new)


def xmeans(X, k_max=20, random_state=None):
    """X-means; returns (labels, centers)."""
    rs = check_random_state(random_state)
    X = np.asarray(X, dtype=np.float64)

    def split(Xj, center):
        child = KMeans(2, n_init=1, random_state=rs).fit(Xj)
        one = _spherical_bic(Xj, np.zeros(len(Xj), dtype=int), center[None, :])
        two = _spherical_bic(Xj, child.labels_, child.cluster_centers_)
        return child.cluster_centers_ if two > one else None

    return _split_until_stable(X, k_max, 4, split)


def _anderson_darling_normal(x):
    """Anderson-Darling statistic for normality with estimated mean and variance, with
    the small-sample correction A*^2 = A^2 (1 + 4/n - 25/n^2) used by G-means."""
    n = x.size
    z = np.sort((x - x.mean()) / x.std(ddof=1))
    i = np.arange(1, n + 1)
    a2 = -n - np.mean((2 * i - 1) * (stats.norm.logcdf(z) + stats.norm.logsf(z[::-1])))
    return a2 * (1 + 4.0 / n - 25.0 / n ** 2)


def gmeans(X, k_max=20, alpha=1e-4, random_state=None):
    """G-means; returns (labels, centers)."""
    X = np.asarray(X, dtype=np.float64)
    # critical value of the Anderson-Darling statistic (case 3: mean and variance
    # estimated) as tabulated by D'Agostino and Stephens for alpha = 1e-4
    critical = {1e-4: 1.8692, 1e-3: 1.159, 5e-3: 1.035, 1e-2: 1.035, 5e-2: 0.787}[alpha]

    def split(Xj, center):
        centred = Xj - center
        cov = centred.T @ centred / len(Xj)
        vals, vecs = np.linalg.eigh(cov)
        m = vecs[:, -1] * np.sqrt(2 * max(vals[-1], 0) / np.pi)
        if not np.any(m):
            return None
        child = KMeans(2, init=np.array([center + m, center - m]), n_init=1).fit(Xj)
        v = child.cluster_centers_[0] - child.cluster_centers_[1]
        proj = Xj @ v / max(v @ v, np.finfo(np.float64).tiny)
        if proj.std() == 0:
            return None
        return child.cluster_centers_ if _anderson_darling_normal(proj) > critical else None

    return _split_until_stable(X, k_max, 8, split)
