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
* Weighted graphs get the weighted Bethe-Hessian of Saade, Krzakala, Lelarge and
  Zdeborova (2015) with saturating couplings ``tanh(beta w)``, on the log-compressed
  weights ``log(1 + w / median(w))`` (:func:`compressed_weights`): heavy-tailed weights,
  such as counts of interactions, otherwise give localised eigenvectors that look like
  communities. With equal weights it is the matrix above.
* Regularized spectral bipartition (Amini et al., 2013; used by Li et al., 2022):
  ``A_tau = A + tau * mean_degree / n * 1 1^T`` applied implicitly (never formed densely).

``rng`` is always the ``np.random.RandomState`` the estimator's ``fit`` made with
``check_random_state``: eigen-solvers draw their starting vector from it and k-means gets
a seed drawn from it, so a fixed ``random_state`` gives the same result.
"""
import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh, eigh_tridiagonal
from scipy.optimize import brentq
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from .._fast._openmp_helpers import effective_n_threads
from .._fast._sparse import CSROperator

__all__ = ["bethe_hessian", "bethe_hessian_embedding", "bethe_hessian_spectrum",
           "bethe_hessian_clustering", "bethe_hessian_path", "count_below",
           "regularized_bipartition", "zeta_embedding"]

# below this many nodes a dense eigen-decomposition is both exact and fast
DENSE_LIMIT = 400
# k-means restarts on an embedding of more rows than this run on a sample of this size
SUBSAMPLE_ABOVE = 100_000
SUBSAMPLE = 50_000


def _variance_factor(d, n):
    """``phi_i = 1 - d_i / (n - 1)`` (at least 0): the variance correction of degrees."""
    return 1.0 - np.minimum(d / max(n - 1, 1), 1.0)


def _variance_degrees(A):
    """``v_i = d_i (1 - d_i / (n - 1))``: the variance-corrected degrees."""
    d = np.asarray(A.sum(axis=1)).ravel()
    return d * _variance_factor(d, A.shape[0])


def bethe_r(A):
    """``r``: the square root of the mean excess (variance-corrected) degree, at least 1."""
    v = _variance_degrees(A)
    total = v.sum()
    if total <= 0:
        return 1.0
    return float(np.sqrt(max((v @ v) / total - 1.0, 1.0)))


def _unit_mean(A):
    """``A`` with its weights divided by their mean: the Bethe-Hessian and its margin are
    not invariant to the unit of the weights, so every spectral step sees this."""
    if A.nnz == 0:
        return A
    mean = float(A.data.mean())
    return A if mean == 1.0 else A / mean


def is_weighted(A):
    """Whether the edges of ``A`` do not all have the same weight."""
    return A.nnz > 0 and float(A.data.max() - A.data.min()) > 1e-12 * float(A.data.max())


# ``beta w`` is capped here: ``tanh(3) = 0.995``, so an edge this heavy already ties its
# two ends together, and ``sinh^2 <= 101`` keeps a few very heavy edges from setting the
# scale of the whole matrix (and from overflowing)
MAX_COUPLING = 3.0


def _edge_rows(A):
    """Row index of every stored entry of CSR ``A``."""
    return np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))


def spin_glass_beta(A):
    """The inverse temperature ``beta`` of the weighted Bethe-Hessian of ``A``.

    The couplings ``t_ij = tanh(beta w_ij)`` are the weights of the non-backtracking
    matrix whose bulk the Bethe-Hessian puts at zero; ``beta`` solves
    ``sum_i (v_i - 1) phi_i sum_k t_ik^2 = sum_i v_i``, the radius of that bulk in a
    configuration model set to 1 (Saade, Krzakala, Lelarge and Zdeborova's spin-glass
    temperature), with ``d_i`` the number of edges of node ``i``,
    ``phi_i = 1 - d_i / (n - 1)`` and ``v_i = d_i phi_i`` the variance-corrected
    degrees. With unit weights ``tanh(beta) = 1 / r``, ``r`` of :func:`bethe_r`.
    ``beta w`` is capped at ``MAX_COUPLING``; when even saturated couplings cannot reach
    the condition (mean excess degree at most 1) every coupling is saturated.
    """
    n = A.shape[0]
    d = np.diff(A.indptr).astype(np.float64)
    phi = _variance_factor(d, n)
    v = d * phi
    coef = ((v - 1.0) * phi)[_edge_rows(A)]
    w = A.data
    total = float(v.sum())

    def excess(beta):
        t = np.tanh(np.minimum(beta * w, MAX_COUPLING))
        return float(coef @ (t * t)) - total

    hi = MAX_COUPLING / float(w.min())  # every coupling saturated
    if total <= 0 or excess(hi) <= 0:
        return hi
    lo = 1e-3 / float(w.max())
    while excess(lo) > 0:
        lo /= 1e3
    return float(brentq(excess, lo, hi, xtol=1e-12, rtol=1e-10))


def compressed_weights(A):
    """``A`` with its weights replaced by ``log(1 + w / median(w))``.

    What the weighted Bethe-Hessian sees. Saade et al.'s spin-glass temperature puts the
    bulk of the non-backtracking spectrum at 1 *on average over the edges*; with
    heavy-tailed weights (counts of co-appearances, of messages, of trips) the few
    heaviest edges form local patches whose own growth rate is well above that average,
    and each patch gives a negative eigenvalue whose eigenvector lives on a handful of
    nodes (17 on an Erdos-Renyi graph of 500 nodes with Pareto(1.5) weights, none of
    them communities). The logarithm turns any power-law tail into an exponential one
    and keeps the order of the weights; dividing by the median makes it unit-free, and
    equal weights stay equal.
    """
    A = sp.csr_array(A, copy=True)
    if A.nnz:
        A.data = np.log1p(A.data / float(np.median(A.data)))
    return A


def weighted_bethe_hessian(A):
    """The weighted Bethe-Hessian of Saade, Krzakala, Lelarge and Zdeborova (2015).

    ``H_ii = 1 + phi_i sum_k sinh(beta w_ik)^2`` and ``H_ij = -sinh(2 beta w_ij) / 2``
    on the weights ``w`` of :func:`compressed_weights`: the Bethe-Hessian of the
    non-backtracking matrix with couplings ``tanh(beta w_ij)``, ``beta`` from
    :func:`spin_glass_beta` and ``phi_i`` the variance correction of
    :func:`_variance_degrees`. The couplings saturate, so an edge much heavier than the
    others ties its two ends together without flattening every other edge (the linear
    couplings ``w_ij / x`` of an earlier version needed ``x`` above the largest weight
    and saw a single community in Les Miserables' co-appearance counts). The result is
    multiplied by ``mean(v) / mean(H_ii - 1)`` (``v_i = d_i phi_i``), so that with all
    weights equal it *is* :func:`bethe_hessian`, ``(r^2 - 1) I - r A + diag(v)``, and the
    same margin applies. It does not depend on the unit of the weights.
    """
    A = compressed_weights(A)
    return _weighted_bethe_hessian_at(A, spin_glass_beta(A))


def _weighted_bethe_hessian_at(A, beta):
    """:func:`weighted_bethe_hessian` of already compressed weights, at coupling ``beta``."""
    n = A.shape[0]
    d = np.diff(A.indptr).astype(np.float64)
    phi = _variance_factor(d, n)
    x = np.minimum(beta * A.data, MAX_COUPLING)
    sinh = np.sinh(x)
    excess = phi * np.bincount(_edge_rows(A), weights=sinh * sinh, minlength=n)
    scale = float((d * phi).mean()) / max(float(excess.mean()), 1e-300)
    off = sp.csr_array((sinh * np.cosh(x), A.indices, A.indptr), shape=A.shape)
    return ((sp.diags_array(1.0 + excess) - off) * scale).tocsr()


def bethe_hessian(A, r=None):
    """Return the sparse Bethe-Hessian ``(r^2 - 1) I - r A + diag(v)`` of adjacency ``A``
    (``v`` the variance-corrected degrees); :func:`weighted_bethe_hessian` when the edges
    do not all have the same weight (and ``r`` is not given), which is the same matrix
    when they do."""
    if r is None and is_weighted(A):
        return weighted_bethe_hessian(A)
    r = bethe_r(A) if r is None else r
    v = _variance_degrees(A)
    return (sp.diags_array((r * r - 1.0) + v) - r * A).tocsr()


def negative_margin(A):
    """Eigenvalues of the Bethe-Hessian below ``-margin`` count as negative."""
    n = A.shape[0]
    return 3.0 * float(_variance_degrees(A).mean()) * n ** (-2.0 / 3.0)


def _shift(H):
    """A shift that puts the bulk of the spectrum of ``H`` well away from zero.

    ARPACK's stopping rule is relative (residual below ``tol * |eigenvalue|``); the bulk of
    a Bethe-Hessian starts near zero, where a relative rule asks for an absurd absolute
    accuracy and the solve grows super-linearly with the graph. Shifted by about the mean
    diagonal, the same rule means an absolute accuracy of about ``tol * shift``.
    """
    return max(float(H.diagonal().mean()), 1.0)


def _smallest(H, k, rng, v0=None):
    """The ``k`` smallest eigenvalues (ascending) and eigenvectors of symmetric ``H``;
    ARPACK starts from ``v0`` when given (a warm start), else from a random vector."""
    n = H.shape[0]
    if n <= DENSE_LIMIT or k >= n - 1:
        return eigh(H.toarray(), subset_by_index=[0, min(k, n) - 1])
    if v0 is None:
        v0 = rng.uniform(-1.0, 1.0, size=n)
    s = _shift(H)
    Hs = (H + sp.diags_array(np.full(n, s))).tocsr()
    # ARPACK's "SA" converges fast on the negative eigenvalues, isolated from the bulk; its
    # BLAS-2 work on an (n, ncv) block gains nothing from threads and loses a lot when the
    # cores are busy, so it runs on one
    with threadpool_limits(limits=1, user_api="blas"):
        w, v = eigsh(Hs, k=k, which="SA", v0=v0, tol=1e-6, ncv=min(n, max(2 * k + 1, 40)))
    order = np.argsort(w)
    return w[order] - s, v[:, order]


def bethe_hessian_path(A):
    """The Bethe-Hessians between the spin-glass point and the strongest couplings.

    Returns ``H(s)`` for ``s`` in ``[0, 1]`` and the parameter ``H(s)`` is taken at:
    ``r = r_0 - s (r_0 - 1)`` for a graph whose edges weigh the same (``r_0`` of
    :func:`bethe_r`; ``r = 1`` is the Laplacian ``diag(v) - A``), the coupling
    ``beta = beta_0 (beta_1 / beta_0)^s`` of :func:`weighted_bethe_hessian` otherwise
    (``beta_0`` of :func:`spin_glass_beta`, ``beta_1`` saturating every edge).
    ``H(0)`` is :func:`bethe_hessian` ``(A)``.
    """
    if is_weighted(A):
        C = compressed_weights(A)
        beta_0 = spin_glass_beta(C)
        beta_1 = max(MAX_COUPLING / float(C.data.min()), beta_0)

        # geometric: a weight far below the median makes beta_1 huge, and the roots
        # near beta_0 must still be resolved by a tolerance on s
        def coupling(s):
            return beta_0 * (beta_1 / beta_0) ** s

        return (lambda s: _weighted_bethe_hessian_at(C, coupling(s))), coupling
    r_0 = bethe_r(A)

    def radius(s):
        return r_0 - s * (r_0 - 1.0)

    return (lambda s: bethe_hessian(A, radius(s))), radius


def _newton_in_bracket(eigenpair, slope, start, lo, hi, xtol):
    """The root in ``(lo, hi)`` of an eigenvalue ``f(s)`` with ``f(lo) < 0 < f(hi)``.

    Newton steps (derivative ``slope(s, eigenvector)``) from ``lo``, where
    ``start = (f(lo), eigenvector)`` is already known, and a bisection whenever a step
    would leave the bracket, until a step is below ``xtol``. Returns the last point
    evaluated and its eigenvector (within ``xtol`` of the root).
    """
    s, (f, x) = lo, start
    for _ in range(100):
        if f < 0.0:
            lo = s
        else:
            hi = s
        d = slope(s, x)
        new = s - f / d if d != 0.0 else np.inf
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - s) < xtol or hi - lo < xtol:
            break
        s = new
        f, x = eigenpair(s)
    return s, x


def zeta_embedding(A, k, rng, *, xtol=1e-4):
    """Degree-corrected spectral embedding: the Bethe-Hessian at ``r = zeta_p``.

    Dall'Amico, Couillet and Tremblay (NeurIPS 2019; JMLR 2021): the ``p``-th informative
    eigenvector is taken from the Bethe-Hessian ``H_r`` at the ``r = zeta_p`` where its
    ``p``-th smallest eigenvalue is zero, rather than at the one ``r`` that counts the
    communities. There ``H_zeta x = 0`` means
    ``D_tau^{-1/2} A D_tau^{-1/2} y = y / zeta`` with ``y = D_tau^{1/2} x`` and
    ``tau = zeta^2 - 1``: ``x`` is the eigenvector of a regularised Laplacian scaled by
    ``D_tau^{-1/2}``, whose entries, unlike those of the eigenvectors at the counting
    ``r``, do not grow with the degree of the node, so high-degree nodes are not pulled
    out of their community. ``zeta_p`` is found along :func:`bethe_hessian_path` by
    safeguarded Newton steps (the slope of the eigenvalue from its eigenvector, as
    Hellmann and Feynman give it; Brent's method on weighted graphs), to ``xtol`` on
    the path parameter ``s``, every eigen-solve starting from the last eigenvector;
    when the ``p``-th eigenvalue is already non-negative at the counting point (``p``
    beyond the negative eigenvalues, for a given ``n_clusters``) its eigenvector there
    is used, and when it is still negative at ``r = 1`` the one at ``r = 1``.

    Returns
    -------
    embedding : ndarray of shape (n, k)
    path_params : ndarray of shape (k,)
        The ``s`` of every column on :func:`bethe_hessian_path`.
    """
    H_at, param = bethe_hessian_path(A)
    n = A.shape[0]
    slope = None
    if not is_weighted(A):
        # Hellmann-Feynman: d lambda / ds = x^T (dH/dr) x dr/ds, dH/dr = 2 r I - A
        def slope(s, x):
            return -(param(0.0) - 1.0) * (2.0 * param(s) - float(x @ (A @ x)))
    X = np.empty((n, k))
    params = np.empty(k)
    w0, v0 = _smallest(H_at(0.0), k, rng)
    for p in range(k):
        if w0[p] >= 0.0:
            params[p], X[:, p] = 0.0, v0[:, p]
            continue
        # every solve starts from the last eigenvector found: the path moves it little
        start = [v0[:, p]]

        def eigenpair(s, p=p, start=start):
            w, v = _smallest(H_at(s), p + 1, rng, v0=start[0])
            start[0] = v[:, p]
            return float(w[p]), v[:, p]

        f_end, x_end = eigenpair(1.0)
        if f_end <= 0.0:
            params[p], X[:, p] = 1.0, x_end
            continue
        start[0] = v0[:, p]
        if slope is None:
            params[p] = brentq(lambda s: eigenpair(s)[0], 0.0, 1.0, xtol=xtol)
            X[:, p] = eigenpair(params[p])[1]
        else:
            params[p], X[:, p] = _newton_in_bracket(eigenpair, slope, (w0[p], v0[:, p]),
                                                    0.0, 1.0, xtol)
    return X, params


def _good_ritz_values(alpha, beta):
    """The Ritz values of a Lanczos run without reorthogonalisation, ghosts removed.

    Without reorthogonalisation the tridiagonal ``T`` repeats converged eigenvalues
    (ghosts) and has spurious ones. Cullum and Willoughby's test: numerically multiple
    eigenvalues of ``T`` count once; a simple one that is also an eigenvalue of ``T``
    without its first row and column is spurious.
    """
    theta = eigh_tridiagonal(alpha, beta, eigvals_only=True)
    tol = 1e-10 * max(float(np.abs(theta).max()), 1.0)
    first = np.concatenate([[True], np.diff(theta) > tol])
    multiplicity = np.bincount(np.cumsum(first) - 1)
    rep = theta[first]
    if alpha.size < 3:
        return rep
    hat = eigh_tridiagonal(alpha[1:], beta[1:], eigvals_only=True)
    pos = np.clip(np.searchsorted(hat, rep), 1, hat.size - 1)
    near = np.minimum(np.abs(hat[pos - 1] - rep), np.abs(hat[pos] - rep))
    return rep[~((multiplicity == 1) & (near < tol))]


def _converged_below(alpha, beta, beta_next, good, threshold, resolution):
    """How many good Ritz values below ``threshold`` have converged: their residual
    bound ``beta_next |s_m|`` (``s_m`` the last entry of the eigenvector of ``T``) is
    below ``resolution``. A copy of a converged eigenvalue still forming passes through
    lower values on its way and is not counted."""
    low = good[good < threshold]
    if low.size == 0:
        return 0
    theta, S = eigh_tridiagonal(alpha, beta, select="v",
                                select_range=(float(low[0]) - 1.0, threshold))
    if theta.size == 0:
        return 0
    bound = abs(beta_next) * np.abs(S[-1])
    pos = np.clip(np.searchsorted(theta, low), 0, theta.size - 1)
    prev = np.clip(pos - 1, 0, theta.size - 1)
    nearest = np.where(np.abs(theta[prev] - low) < np.abs(theta[pos] - low), prev, pos)
    return int(np.sum(bound[nearest] < resolution))


def count_below(H, threshold, resolution, rng, *, max_count=None, log=None):
    """Number of eigenvalues of symmetric ``H`` below ``threshold``, by Lanczos.

    A Lanczos run without reorthogonalisation (three vectors of memory, one product with
    ``H`` per step) whose good Ritz values (:func:`_good_ritz_values`) below
    ``threshold`` and converged (residual bound below ``resolution``) are counted. Ritz
    values are upper bounds of the eigenvalues, so every one counted is real; the run
    goes on (at least 40 steps) until neither the count nor the smallest good Ritz value
    above ``threshold`` has moved (by ``resolution / 4``) over the last half of the
    steps, and the Krylov space is large enough to resolve the spectrum at the scale
    ``resolution`` (``2.5 sqrt(width / resolution)`` steps, ``width`` the spread of the
    Ritz values: Chebyshev polynomials of that degree separate an eigenvalue
    ``resolution`` below the bulk from it). It stops early at ``max_count``.

    Unlike ARPACK asked for the ``k + 1`` smallest eigenpairs, it never has to converge an
    eigenvector inside the bulk of the spectrum, which near the bulk edge of a large
    graph takes a Krylov space that grows with the graph. Exactly repeated eigenvalues
    count once (a single-vector Krylov method sees one copy); random graphs do not have
    them.

    Returns
    -------
    count : int
    """
    n = H.shape[0]
    max_count = n if max_count is None else max_count
    m_max = n
    # scipy's sparse product runs on one thread; the run is about a thousand of them on
    # a 10^6-node graph (bit for bit the same products, on the idle cores)
    product = (CSROperator(sp.csr_array(H), n_threads=effective_n_threads(None)).matvec
               if sp.issparse(H) else H.__matmul__)
    v = rng.uniform(-1.0, 1.0, size=n)
    v /= np.linalg.norm(v)
    v_prev = np.zeros(n)
    b = 0.0
    alpha, beta = [], []
    history = []  # (steps, count, smallest good Ritz value above the threshold)
    count = 0
    m = 0
    check = 10
    with threadpool_limits(limits=1, user_api="blas"):
        while m < m_max:
            w = product(v)
            a = float(v @ w)
            w -= a * v
            w -= b * v_prev
            b = float(np.linalg.norm(w))
            alpha.append(a)
            beta.append(b)
            m += 1
            breakdown = b <= 1e-12 * max(abs(a), 1.0)
            if m % check == 0 or breakdown or m == m_max:
                a_, b_ = np.asarray(alpha), np.asarray(beta[:-1])
                good = _good_ritz_values(a_, b_)
                count = _converged_below(a_, b_, b, good, threshold, resolution)
                history.append((m, count, np.inf))
                if count >= max_count or breakdown:
                    break
                above = good[good >= threshold]
                front = float(above[0]) if above.size else np.inf
                history[-1] = (m, count, front)
                width = float(good.max() - good.min())
                needed = 2.5 * np.sqrt(width / resolution)
                earlier = [h for h in history if h[0] >= 0.5 * m]
                stable = (all(h[1] == count for h in earlier)
                          and earlier[0][2] - front < 0.25 * resolution)
                if m >= needed and stable and m >= 40:
                    break
            v_prev, v = v, w / b
    if log is not None:
        log(f"Lanczos: {count} eigenvalue(s) below {threshold:.3g} after {m} steps",
            level=3)
    return min(count, max_count)


def bethe_hessian_embedding(A, rng, n_clusters=None, *, max_k=None, log=None):
    """Number of communities and spectral embedding of a connected graph.

    The number of communities is ``n_clusters`` if given, else the number of negative
    eigenvalues of the Bethe-Hessian (at least 1, at most ``max_k``): counted by Lanczos
    (:func:`count_below`) on graphs of more than ``DENSE_LIMIT`` nodes, exactly on smaller
    ones. The embedding holds the eigenvectors of that many smallest eigenvalues.

    Returns
    -------
    n_clusters : int
    embedding : ndarray of shape (n, n_clusters) or None when n_clusters == 1
    """
    n = A.shape[0]
    max_k = n - 1 if max_k is None else min(max_k, n - 1)
    if n < 3 or max_k < 1:
        return 1, None
    A = _unit_mean(A)
    H = bethe_hessian(A)
    if n_clusters is not None:
        if n_clusters <= 1:
            return 1, None
        return n_clusters, _smallest(H, n_clusters, rng)[1]
    if _variance_degrees(A).sum() <= 0:
        return 1, None  # a complete graph: no structure
    margin = negative_margin(A)
    if n > DENSE_LIMIT:
        k = count_below(H, -margin, margin, rng, max_count=max_k, log=log)
        if k <= 1:
            return 1, None
        w, v = _smallest(H, k, rng)
        n_neg = max(1, int(np.sum(w < -margin)))
        return n_neg, (v[:, :n_neg] if n_neg > 1 else None)
    k = min(10, max_k)
    while True:
        w, v = _smallest(H, k, rng)
        n_neg = int(np.sum(w < -margin))
        if n_neg < k or k >= max_k:
            n_neg = max(1, min(n_neg, max_k))
            return n_neg, (v[:, :n_neg] if n_neg > 1 else None)
        k = min(2 * k, max_k)


def bethe_hessian_spectrum(A, rng, *, max_k=None, log=None):
    """Number of negative eigenvalues of the Bethe-Hessian (at least 1, at most max_k).

    The same count as :func:`bethe_hessian_embedding`, without the eigenvectors.
    """
    n = A.shape[0]
    if n <= DENSE_LIMIT:
        return bethe_hessian_embedding(A, rng, max_k=max_k)[0]
    max_k = n - 1 if max_k is None else min(max_k, n - 1)
    A = _unit_mean(A)
    if max_k < 1 or _variance_degrees(A).sum() <= 0:
        return 1
    margin = negative_margin(A)
    count = count_below(bethe_hessian(A), -margin, margin, rng, max_count=max_k, log=log)
    return max(1, count)


def bethe_hessian_clustering(A, rng, n_clusters=None, *, n_init=10, degree_corrected=False,
                             log=None):
    """Cluster the nodes of a connected graph with the Bethe-Hessian.

    The eigenvectors of the ``n_clusters`` smallest eigenvalues (``n_clusters`` estimated
    as the number of negative ones when None) are row-normalised and clustered with
    k-means. ``degree_corrected=True`` takes the eigenvectors from
    :func:`zeta_embedding` instead (same number of communities).

    Returns
    -------
    labels : ndarray of shape (n,)
    """
    n = A.shape[0]
    if n_clusters is not None and n_clusters >= n:
        return np.arange(n, dtype=np.intp)
    k, X = bethe_hessian_embedding(A, rng, n_clusters, log=log)
    if k <= 1:
        return np.zeros(n, dtype=np.intp)
    if degree_corrected:
        X, params = zeta_embedding(_unit_mean(A), k, rng)
        if log is not None:
            log(f"zeta embedding of {n} nodes: path parameters "
                f"{np.array2string(params, precision=3)}", level=3)
    return _kmeans_rows(X, k, rng, n_init)


def _kmeans_rows(X, k, rng, n_init):
    """k-means on the row-normalised embedding ``X``.

    Above ``SUBSAMPLE_ABOVE`` rows the ``n_init`` restarts run on ``SUBSAMPLE`` random
    rows and the best centres start one Lloyd run on all of them: the restarts only have
    to find the right basin, which a few tens of thousands of points show as well as a
    million, and ten full restarts were the largest cost of a million-node fit after the
    eigensolver.
    """
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X = X / np.where(norms > 0, norms, 1.0)
    seed = rng.randint(np.iinfo(np.int32).max)
    n = X.shape[0]
    if n <= SUBSAMPLE_ABOVE:
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(X).astype(
            np.intp)
    sub = np.sort(np.random.RandomState(seed).choice(n, SUBSAMPLE, replace=False))
    centers = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X[sub]).cluster_centers_
    km = KMeans(n_clusters=k, init=centers, n_init=1, random_state=seed)
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
        with threadpool_limits(limits=1, user_api="blas"):
            _, X = eigsh(op, k=2, which="LA", v0=rng.uniform(-1.0, 1.0, size=n), tol=1e-8)
    return _kmeans_rows(X, 2, rng, n_init)
