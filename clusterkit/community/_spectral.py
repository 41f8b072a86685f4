"""Spectral helpers shared by the bottom-up and top-down estimators.

* Bethe-Hessian ``H_r = (r^2 - 1) I - r A + D`` (Saade, Krzakala and Zdeborova, 2014): the
  number of its negative eigenvalues estimates the number of communities, and the
  eigenvectors of those eigenvalues embed the nodes. Saade et al. take ``D`` the degrees
  and ``r`` the square root of the mean excess degree, which is right for sparse graphs.
  In dense graphs (degrees a fair fraction of ``n``, as in the exact-recovery regime
  ``p = a log(n) / n`` at moderate ``n``) the bulk of the spectrum of ``A`` is narrower
  than ``2 sqrt(mean degree)``, because each edge has variance ``p (1 - p)`` rather than
  ``p``, and the sparse Bethe-Hessian misses detectable communities (on the paper's
  depth-3 HSBM at ``a = (40, 45, 70, 100)`` it finds 4 of the 8). clusterkit therefore
  uses the *variance-corrected* degrees ``v_i = d_i (1 - d_i / (n - 1))`` in place of
  ``d_i`` (for ``D`` and for ``r``), which is Saade's choice when ``d_i << n``, and counts
  an eigenvalue as negative when it is below ``-3 mean(v) n^(-2/3)``, three times the
  Tracy-Widom scale of the fluctuations of the bulk edge, so that a graph without
  structure (Erdos-Renyi, dense or not) gives one community.
* Regularized spectral bipartition (Amini et al., 2013; used by Li et al., 2022):
  ``A_tau = A + tau * mean_degree / n * 1 1^T`` applied implicitly (never formed densely).

``rng`` is always the ``np.random.RandomState`` the estimator's ``fit`` made with
``check_random_state``: eigen-solvers draw their starting vector from it and k-means gets
a seed drawn from it, so a fixed ``random_state`` gives the same result.
"""
import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.cluster import KMeans

__all__ = ["bethe_hessian", "bethe_hessian_embedding", "bethe_hessian_spectrum",
           "bethe_hessian_clustering", "regularized_bipartition"]

# below this many nodes a dense eigen-decomposition is both exact and fast
DENSE_LIMIT = 400


def _variance_degrees(A):
    """``v_i = d_i (1 - d_i / (n - 1))``: the variance-corrected degrees."""
    n = A.shape[0]
    d = np.asarray(A.sum(axis=1)).ravel()
    return d * (1.0 - np.minimum(d / max(n - 1, 1), 1.0))


def bethe_r(A):
    """``r``: the square root of the mean excess (variance-corrected) degree, at least 1."""
    v = _variance_degrees(A)
    total = v.sum()
    if total <= 0:
        return 1.0
    return float(np.sqrt(max((v @ v) / total - 1.0, 1.0)))


def bethe_hessian(A, r=None):
    """Return the sparse Bethe-Hessian ``(r^2 - 1) I - r A + diag(v)`` of adjacency ``A``
    (``v`` the variance-corrected degrees)."""
    r = bethe_r(A) if r is None else r
    v = _variance_degrees(A)
    return (sp.diags_array((r * r - 1.0) + v) - r * A).tocsr()


def negative_margin(A):
    """Eigenvalues of the Bethe-Hessian below ``-margin`` count as negative."""
    n = A.shape[0]
    return 3.0 * float(_variance_degrees(A).mean()) * n ** (-2.0 / 3.0)


def _smallest(H, k, rng):
    """The ``k`` smallest eigenvalues (ascending) and eigenvectors of symmetric ``H``."""
    n = H.shape[0]
    if n <= DENSE_LIMIT or k >= n - 1:
        return eigh(H.toarray(), subset_by_index=[0, min(k, n) - 1])
    v0 = rng.uniform(-1.0, 1.0, size=n)
    # ARPACK's "SA" converges well on the negative eigenvalues, isolated from the bulk; a
    # generous Krylov space matters more than the tolerance for the eigenvalues just above
    # zero, which sit in a crowded bulk.
    w, v = eigsh(H, k=k, which="SA", v0=v0, tol=1e-6, ncv=min(n, max(2 * k + 1, 40)))
    order = np.argsort(w)
    return w[order], v[:, order]


def bethe_hessian_embedding(A, rng, n_clusters=None, *, max_k=None):
    """Number of communities and spectral embedding of a connected graph.

    The number of communities is ``n_clusters`` if given, else the number of negative
    eigenvalues of the Bethe-Hessian (at least 1, at most ``max_k``); the embedding holds
    the eigenvectors of that many smallest eigenvalues.

    Returns
    -------
    n_clusters : int
    embedding : ndarray of shape (n, n_clusters) or None when n_clusters == 1
    """
    n = A.shape[0]
    max_k = n - 1 if max_k is None else min(max_k, n - 1)
    if n < 3 or max_k < 1:
        return 1, None
    H = bethe_hessian(A)
    if n_clusters is not None:
        if n_clusters <= 1:
            return 1, None
        return n_clusters, _smallest(H, n_clusters, rng)[1]
    if _variance_degrees(A).sum() <= 0:
        return 1, None  # a complete graph: no structure
    margin = negative_margin(A)
    k = min(10, max_k)
    while True:
        w, v = _smallest(H, k, rng)
        n_neg = int(np.sum(w < -margin))
        if n_neg < k or k >= max_k:
            n_neg = max(1, min(n_neg, max_k))
            return n_neg, (v[:, :n_neg] if n_neg > 1 else None)
        k = min(2 * k, max_k)


def bethe_hessian_spectrum(A, rng, *, max_k=None):
    """Number of negative eigenvalues of the Bethe-Hessian (at least 1, at most max_k)."""
    return bethe_hessian_embedding(A, rng, max_k=max_k)[0]


def bethe_hessian_clustering(A, rng, n_clusters=None, *, n_init=10):
    """Cluster the nodes of a connected graph with the Bethe-Hessian.

    The eigenvectors of the ``n_clusters`` smallest eigenvalues (``n_clusters`` estimated
    as the number of negative ones when None) are row-normalised and clustered with
    k-means.

    Returns
    -------
    labels : ndarray of shape (n,)
    """
    n = A.shape[0]
    if n_clusters is not None and n_clusters >= n:
        return np.arange(n, dtype=np.intp)
    k, X = bethe_hessian_embedding(A, rng, n_clusters)
    if k <= 1:
        return np.zeros(n, dtype=np.intp)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X = X / np.where(norms > 0, norms, 1.0)
    km = KMeans(n_clusters=k, n_init=n_init, random_state=rng.randint(np.iinfo(np.int32).max))
    return km.fit_predict(X).astype(np.intp)


def regularized_bipartition(A, rng, *, tau=0.1, n_init=10):
    """Split a node set in two by regularized spectral clustering.

    ``A_tau = A + tau * mean_degree / n * 11^T``; the two leading eigenvectors of
    ``D_tau^{-1/2} A_tau D_tau^{-1/2}`` (the two smallest of the normalised Laplacian) are
    row-normalised and clustered by 2-means.

    Returns
    -------
    labels : ndarray of shape (n,) with values in {0, 1}; all zeros if no split was found.
    """
    n = A.shape[0]
    if n < 2:
        return np.zeros(n, dtype=np.intp)
    d = np.asarray(A.sum(axis=1)).ravel()
    c = tau * d.mean() / n
    d_tau = d + c * n
    if not np.all(d_tau > 0):
        d_tau = np.where(d_tau > 0, d_tau, 1.0)
    s = 1.0 / np.sqrt(d_tau)
    if n <= DENSE_LIMIT:
        M = s[:, None] * (A.toarray() + c) * s[None, :]
        _, X = eigh(M, subset_by_index=[n - 2, n - 1])
    else:
        def matvec(x):
            x = np.asarray(x).reshape(-1)
            y = s * x
            return s * (A @ y + c * y.sum())

        op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
        _, X = eigsh(op, k=2, which="LA", v0=rng.uniform(-1.0, 1.0, size=n), tol=1e-8)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X = X / np.where(norms > 0, norms, 1.0)
    km = KMeans(n_clusters=2, n_init=n_init, random_state=rng.randint(np.iinfo(np.int32).max))
    return km.fit_predict(X).astype(np.intp)
