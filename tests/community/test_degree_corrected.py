"""The degree-corrected spectral step (Bethe-Hessian at r = zeta_p, Dall'Amico et al.):
the fast path equals a slow dense reference, and it is an option of the bottom-up
estimator."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import eigh

import clusterkit.community._spectral as spectral
from clusterkit.community import AgglomerativeCommunities, hierarchy_scores
from clusterkit.community._spectral import (
    MAX_COUPLING,
    bethe_hessian_path,
    zeta_embedding,
)
from clusterkit.datasets import make_hsbm


def _graph(weighted):
    A, levels = make_hsbm(2, 2, 50, p=[1, 4, 16], mean_degree=12, theta=2.0,
                          random_state=0)
    if weighted:
        upper = sp.triu(A, k=1).tocoo()
        w = np.random.RandomState(1).randint(1, 6, size=upper.nnz).astype(np.float64)
        W = sp.coo_array((w, (upper.row, upper.col)), shape=A.shape)
        A = sp.csr_array(W + W.T)
    return sp.csr_array(A), levels


def _dense_path(A, weighted):
    """(H(param) as a dense array, first param, last param), written out from the
    formulas: unweighted ``(r^2 - 1) I - r A + diag(v)`` for r from sqrt(mean excess
    variance degree) down to 1; weighted ``1 + phi_i sum sinh^2(beta w)`` on the diagonal,
    ``-sinh(beta w) cosh(beta w)`` off it, on ``log(1 + w / median w)``, beta from the
    spin-glass point to saturation."""
    M = A.toarray()
    n = M.shape[0]
    count = (M > 0).sum(axis=1).astype(float)
    phi = 1.0 - count / (n - 1)
    v = count * phi
    if not weighted:
        r0 = np.sqrt((v @ v) / v.sum() - 1.0)
        return (lambda r: (r * r - 1.0) * np.eye(n) - r * M + np.diag(v)), r0, 1.0
    W = np.where(M > 0, np.log1p(M / np.median(M[M > 0])), 0.0)

    def H(beta):
        x = np.minimum(beta * W, MAX_COUPLING)
        return np.diag(1.0 + phi * (np.sinh(x) ** 2).sum(axis=1)) - np.where(
            M > 0, np.sinh(x) * np.cosh(x), 0.0)

    def growth(beta):  # sum_i (v_i - 1) phi_i sum_k tanh^2 - sum_i v_i
        t = np.tanh(np.minimum(beta * W, MAX_COUPLING))
        return float(((v - 1.0) * phi) @ np.where(M > 0, t * t, 0.0).sum(axis=1) - v.sum())

    lo, hi = 1e-9, MAX_COUPLING / W[M > 0].min()
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if growth(mid) < 0 else (lo, mid)
    return H, 0.5 * (lo + hi), MAX_COUPLING / W[M > 0].min()


def _reference(A, k, weighted):
    """For every p: bisection (60 halvings, dense eigh) for the parameter where the p-th
    smallest eigenvalue is zero, and the eigenvector there."""
    H, start, end = _dense_path(A, weighted)
    params, X = [], []
    for p in range(k):
        def lam(x, p=p):
            return eigh(H(x), eigvals_only=True, subset_by_index=[p, p])[0]
        if lam(start) >= 0:
            x = start
        elif lam(end) <= 0:
            x = end
        else:
            a, b = start, end  # lam(a) < 0 < lam(b)
            for _ in range(60):
                mid = 0.5 * (a + b)
                a, b = (mid, b) if lam(mid) < 0 else (a, mid)
            x = 0.5 * (a + b)
        params.append(x)
        X.append(np.linalg.eigh(H(x))[1][:, p])
    return np.array(params), np.column_stack(X)


@pytest.mark.parametrize("weighted", [False, True])
def test_zeta_embedding_equals_the_dense_reference(weighted, monkeypatch):
    A, _ = _graph(weighted)
    # the fast path runs the sparse eigen-solver (ARPACK), as on graphs above the limit
    monkeypatch.setattr(spectral, "DENSE_LIMIT", 50)
    assert A.shape[0] > spectral.DENSE_LIMIT
    expected_params, expected = _reference(A, 4, weighted)
    X, s = zeta_embedding(A, 4, np.random.RandomState(0), xtol=1e-10)
    _, param = bethe_hessian_path(A)
    np.testing.assert_allclose([param(x) for x in s], expected_params, rtol=1e-6)
    # at least two columns come from a root inside the path, not from an end point
    assert np.sum((s > 0) & (s < 1)) >= 2
    overlap = np.abs(np.sum(X * expected, axis=0))
    np.testing.assert_allclose(overlap, 1.0, atol=1e-6)


def test_degree_corrected_bottom_up_recovers_a_degree_corrected_hsbm():
    A, levels = make_hsbm(2, 2, 150, p=[1, 4, 16], mean_degree=14, theta=1.8,
                          random_state=3)
    model = AgglomerativeCommunities(degree_corrected=True, random_state=0).fit(A)
    assert model.n_communities_ == 4
    scores = hierarchy_scores(levels[1:], [model.cut(2), model.cut(4)])
    assert min(scores["accuracy"]) > 0.9


@pytest.mark.parametrize("base", ["louvain", np.zeros(20, dtype=int)], ids=["louvain", "array"])
def test_degree_corrected_with_another_base_is_refused(base):
    import networkx as nx

    G = nx.path_graph(20)
    with pytest.raises(ValueError, match="degree_corrected=True applies to base="):
        AgglomerativeCommunities(base=base, degree_corrected=True).fit(G)
