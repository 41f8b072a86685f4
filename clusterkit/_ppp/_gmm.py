"""Weighted Gaussian-mixture EM, optionally on data summaries.

scikit-learn's :class:`~sklearn.mixture.GaussianMixture` takes no sample weights, and PPP
needs mixtures fitted on a weighted codebook. This module fits a mixture to ``n`` rows ``X``
with weights ``w`` (row ``j`` stands for ``w[j]`` identical points), and optionally with the
within-cell scatter ``S[j] = sum over the points x of cell j of (x - X[j])(x - X[j])^T``.

With ``scatter``, row ``j`` summarises a cell of points whose mean is ``X[j]``: the M-step
uses the exact sufficient statistics of the points, and the E-step gives every point of a
cell the same responsibilities, chosen from the cell's average log-density

    E[log N(x | mu_k, Sigma_k)] = log N(X[j] | mu_k, Sigma_k) - tr(P_k S[j]) / (2 w[j]).

This is variational EM with responsibilities shared within a cell, so the log-likelihood it
reports is a lower bound of the log-likelihood of the underlying points (exact for one
component) and it increases at every iteration.

Covariance layouts follow scikit-learn: ``full`` (k, d, d), ``tied`` (d, d), ``diag``
(k, d), ``spherical`` (k,); ``precisions_cholesky`` is the matrix ``L`` with precision
``L @ L.T``. Covariances that are singular (constant features, a single distinct point) are
regularised by ``reg_covar`` on the diagonal, and the regularisation is raised tenfold until
the Cholesky factorisation succeeds, so a fit never fails on degenerate data.
"""
from dataclasses import dataclass

import numpy as np

from .._utils._blas import single_blas_thread
from .._utils._chunking import row_chunks

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@dataclass
class MixtureFit:
    """Result of :func:`fit_weighted_mixture` (parameters in float64)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray
    log_likelihood: float  # weighted total (a lower bound with scatter)
    resp: np.ndarray  # responsibilities of the rows at the final parameters
    n_iter: int
    converged: bool

    @property
    def n_components(self):
        return self.means.shape[0]


def n_mixture_parameters(n_components, n_features, covariance_type):
    """Number of free parameters of a Gaussian mixture."""
    k, d = n_components, n_features
    if covariance_type == "full":
        cov = k * d * (d + 1) / 2.0
    elif covariance_type == "tied":
        cov = d * (d + 1) / 2.0
    elif covariance_type == "diag":
        cov = k * d
    else:
        cov = k
    return int(cov + k * d + k - 1)


def information_criterion(log_likelihood, n_parameters, n_points, criterion="bic"):
    """BIC or AIC (lower is better) of a model fitted to ``n_points`` points."""
    if criterion == "bic":
        penalty = n_parameters * np.log(max(n_points, 1.0))
    else:
        penalty = 2.0 * n_parameters
    return -2.0 * log_likelihood + penalty


def summary_scatter(X, labels, centers, n_cells, covariance_type):
    """Within-cell scatter of ``X`` around ``centers`` for a codebook assignment ``labels``.

    Returns an (n_cells, d, d) array for ``full``/``tied`` and the (n_cells, d) diagonal
    otherwise, accumulated in float64. The rows of a cell are taken in chunks sized by
    scikit-learn's ``working_memory`` (see ``clusterkit._utils._chunking``).
    """
    d = X.shape[1]
    full = covariance_type in ("full", "tied")
    scatter = np.zeros((n_cells, d, d) if full else (n_cells, d))
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_cells + 1))
    # a row of a chunk: its gathered copy, its float64 copy and its difference to the centre
    row_bytes = (X.dtype.itemsize + 16) * d
    for j in range(n_cells):
        rows = order[bounds[j]:bounds[j + 1]]
        for start, stop in row_chunks(rows.size, row_bytes):
            diff = np.asarray(X[rows[start:stop]], dtype=np.float64) - centers[j]
            if full:
                scatter[j] += diff.T @ diff
            else:
                scatter[j] += np.einsum("ij,ij->j", diff, diff)
    return scatter


def _cholesky_precision(cov, reg):
    """Cholesky factor L of inv(cov) (precision = L @ L.T), regularising until it exists."""
    d = cov.shape[0]
    extra = 0.0
    for _ in range(12):
        try:
            chol = np.linalg.cholesky(cov + extra * np.eye(d))
            return _lower_inverse(chol[None])[0].T
        except np.linalg.LinAlgError:
            extra = max(10.0 * extra, 10.0 * reg, np.finfo(np.float64).tiny)
    raise FloatingPointError("covariance could not be regularised to positive definite")


def _lower_inverse(chol):
    """Inverses of a stack of lower-triangular matrices, shape (k, d, d), lower-triangular.

    ``np.linalg.inv`` batches over the stack (scipy's ``solve_triangular`` costs
    milliseconds per call in its array-API wrapper); its LU pivoting can leave rounding
    noise above the diagonal of a triangular inverse, which ``tril`` removes.
    """
    return np.tril(np.linalg.inv(chol))


def compute_precisions_cholesky(covariances, covariance_type, reg_covar):
    """Precision Cholesky factors for every layout (see the module docstring).

    All components are factorised in one batched call; only when one of them is not
    positive definite are they redone one by one with growing regularisation.
    """
    if covariance_type in ("full", "tied"):
        stack = covariances if covariance_type == "full" else covariances[None]
        try:
            prec = _lower_inverse(np.linalg.cholesky(stack)).transpose(0, 2, 1)
        except np.linalg.LinAlgError:
            prec = np.stack([_cholesky_precision(c, reg_covar) for c in stack])
        return prec if covariance_type == "full" else prec[0]
    floor = np.finfo(np.float64).tiny
    return 1.0 / np.sqrt(np.maximum(covariances, floor))


def estimate_parameters(X, resp, weights, scatter, reg_covar, covariance_type):
    """M-step: mixture weights (summing to 1), means and covariances.

    The diagonal layouts are computed for all components at once from the weighted
    first and second moments (as scikit-learn does); ``full``/``tied`` take one BLAS
    product per component on the centred rows (exact, no cancellation of large second
    moments), and the codebook scatter of all components in one product.
    """
    wr = resp * weights[:, None]
    nk = wr.sum(axis=0) + 10 * np.finfo(np.float64).eps
    means = (wr.T @ X) / nk[:, None]
    k, d = means.shape
    if covariance_type in ("full", "tied"):
        covs = np.empty((k, d, d))
        for c in range(k):
            diff = X - means[c]
            covs[c] = (wr[:, c, None] * diff).T @ diff
        if scatter is not None:
            covs += (resp.T @ scatter.reshape(scatter.shape[0], d * d)).reshape(k, d, d)
        if covariance_type == "tied":
            cov = covs.sum(axis=0) / nk.sum()
            cov.flat[:: d + 1] += reg_covar
            covariances = cov
        else:
            covs /= nk[:, None, None]
            covs[:, np.arange(d), np.arange(d)] += reg_covar
            covariances = covs
    else:
        second = wr.T @ (X * X) / nk[:, None]
        if scatter is not None:
            second += resp.T @ scatter / nk[:, None]
        diag = np.maximum(second - means ** 2, 0.0) + reg_covar
        covariances = diag if covariance_type == "diag" else diag.mean(axis=1)
    return nk / nk.sum(), means, covariances


def log_gaussian_prob(X, means, precisions_cholesky, covariance_type):
    """Log-density of every row of ``X`` under every component, shape (n, k).

    All components at once: ``full`` projects the rows on every component's factor in
    one matrix product (rows taken in chunks sized by ``working_memory``, since the
    projections take n x k x d floats); the diagonal layouts expand the squared distance
    into matrix products, as scikit-learn does.
    """
    n, d = X.shape
    k = means.shape[0]
    if covariance_type in ("full", "tied"):
        L = precisions_cholesky if covariance_type == "full" else precisions_cholesky[None]
        log_det = np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        flat = L.transpose(1, 0, 2).reshape(d, -1)  # (d, k*d) or (d, d) for tied
        mean_proj = np.einsum("kd,kde->ke", means, np.broadcast_to(L, (k, d, d)))
        sq = np.empty((n, k))
        for start, stop in row_chunks(n, 16 * k * d + 8 * d):
            proj = (X[start:stop] @ flat).reshape(stop - start, -1, d)
            proj = proj - mean_proj[None]
            sq[start:stop] = np.einsum("nkd,nkd->nk", proj, proj)
        out = -0.5 * sq + log_det
    elif covariance_type == "diag":
        prec = precisions_cholesky ** 2
        sq = (np.sum(means ** 2 * prec, axis=1) - 2.0 * X @ (means * prec).T
              + (X * X) @ prec.T)
        out = -0.5 * np.maximum(sq, 0.0) + np.log(precisions_cholesky).sum(axis=1)
    else:
        prec = precisions_cholesky ** 2
        sq = ((X * X).sum(axis=1)[:, None] - 2.0 * X @ means.T
              + (means ** 2).sum(axis=1)[None])
        out = -0.5 * prec * np.maximum(sq, 0.0) + 0.5 * d * np.log(prec)
    return out - 0.5 * d * np.log(2 * np.pi)


def log_sum_exp_rows(a):
    """``log(sum(exp(a), axis=1))`` for a 2-d array, safe for rows of -inf.

    A plain NumPy version: scipy's ``logsumexp`` (array-API wrapper) costs about 3 ms
    per call, which dominated small fits.
    """
    top = a.max(axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return top + np.log(np.exp(a - top[:, None]).sum(axis=1))


def _scatter_term(scatter, weights, precisions_cholesky, covariance_type, k):
    """-tr(P_k S_j) / (2 w_j): the cell-average correction of the log-density, (m, k)."""
    if covariance_type == "full":
        prec = np.einsum("kab,kcb->kac", precisions_cholesky, precisions_cholesky)
        tr = np.einsum("jab,kab->jk", scatter, prec)
    elif covariance_type == "tied":
        prec = precisions_cholesky @ precisions_cholesky.T
        tr = np.repeat(np.einsum("jab,ab->j", scatter, prec)[:, None], k, axis=1)
    elif covariance_type == "diag":
        tr = scatter @ (precisions_cholesky ** 2).T
    else:
        tr = np.outer(scatter.sum(axis=1), precisions_cholesky ** 2)
    return -0.5 * tr / weights[:, None]


def weighted_log_prob(X, mix_weights, means, precisions_cholesky, covariance_type,
                      weights=None, scatter=None):
    """log pi_k + (cell-average) log-density, shape (n, k)."""
    lp = log_gaussian_prob(X, means, precisions_cholesky, covariance_type)
    if scatter is not None:
        lp += _scatter_term(scatter, weights, precisions_cholesky, covariance_type,
                            means.shape[0])
    with np.errstate(divide="ignore"):
        return lp + np.log(mix_weights)


def fit_weighted_mixture(X, resp, weights=None, *, scatter=None, covariance_type="full",
                         reg_covar=1e-6, tol=1e-3, max_iter=100):
    """Fit a Gaussian mixture by EM to weighted rows, starting from responsibilities.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Rows (points, or cell means when ``scatter`` is given).
    resp : ndarray of shape (n, k)
        Initial responsibilities (rows summing to 1); the first step is an M-step, so a
        hard partition given as one-hot rows initialises the components from its parts.
    weights : ndarray of shape (n,), default=None
        Positive row weights (counts); ``None`` means all ones. Integer weights give the
        same fit as the rows repeated that many times.
    scatter : ndarray of shape (n, d, d) or (n, d), default=None
        Within-cell scatter of the points summarised by each row (see the module
        docstring); ``(n, d)`` holds the diagonal and serves ``diag``/``spherical``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
        Added to the covariance diagonals.
    tol : float, default=1e-3
        Convergence threshold on the change of the average (per unit weight)
        log-likelihood between iterations.
    max_iter : int, default=100
        Maximum number of E/M iterations after the initial M-step.

    Returns
    -------
    MixtureFit
        Parameters, total weighted log-likelihood (a lower bound with ``scatter``) and the
        responsibilities, all at the final parameters.
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    resp = np.asarray(resp, dtype=np.float64)
    with single_blas_thread():
        return _em(X, resp, weights, scatter, covariance_type, reg_covar, tol, max_iter)


def _em(X, resp, weights, scatter, covariance_type, reg_covar, tol, max_iter):
    """The EM loop of :func:`fit_weighted_mixture` (validated float64 inputs)."""
    total = weights.sum()
    pi, means, covs = estimate_parameters(X, resp, weights, scatter, reg_covar,
                                          covariance_type)
    prec = compute_precisions_cholesky(covs, covariance_type, reg_covar)
    previous = -np.inf
    converged = False
    n_iter = 0
    for _ in range(max_iter):
        n_iter += 1
        wlp = weighted_log_prob(X, pi, means, prec, covariance_type, weights, scatter)
        norm = log_sum_exp_rows(wlp)
        resp = np.exp(wlp - norm[:, None])
        current = float(weights @ norm) / total
        pi, means, covs = estimate_parameters(X, resp, weights, scatter, reg_covar,
                                              covariance_type)
        prec = compute_precisions_cholesky(covs, covariance_type, reg_covar)
        if abs(current - previous) < tol:
            converged = True
            break
        previous = current
    wlp = weighted_log_prob(X, pi, means, prec, covariance_type, weights, scatter)
    norm = log_sum_exp_rows(wlp)
    resp = np.exp(wlp - norm[:, None])
    return MixtureFit(weights=pi, means=means, covariances=covs, precisions_cholesky=prec,
                      log_likelihood=float(weights @ norm), resp=resp, n_iter=n_iter,
                      converged=converged)
