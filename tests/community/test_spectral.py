"""The spectral steps on graphs above the dense limit: the Lanczos count of the negative
eigenvalues of the Bethe-Hessian agrees with a dense eigen-decomposition."""
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from clusterkit.community._spectral import (
    DENSE_LIMIT,
    bethe_hessian,
    bethe_hessian_embedding,
    bethe_hessian_spectrum,
    count_below,
    negative_margin,
)
from clusterkit.datasets import make_hsbm


def _dense_count(A):
    w = np.linalg.eigvalsh(bethe_hessian(A).toarray())
    return int(np.sum(w < -negative_margin(A)))


def _graphs():
    return {
        "dense regime": make_hsbm(3, 2, 100, p=[40, 45, 70, 100], scale="log",
                                  random_state=0)[0],
        "sparse, 8 blocks": make_hsbm(3, 2, 120, p=[1, 3, 9, 27], mean_degree=12,
                                      random_state=1)[0],
        "sparse, 4 blocks": make_hsbm(2, 2, 200, p=[1, 4, 16], mean_degree=8,
                                      random_state=2)[0],
        "Erdos-Renyi": sp.csr_array(nx.to_scipy_sparse_array(
            nx.gnp_random_graph(800, 0.015, seed=3)), dtype=np.float64),
    }


@pytest.mark.parametrize("name", list(_graphs()))
def test_lanczos_count_equals_the_dense_count(name):
    A = _graphs()[name]
    assert A.shape[0] > DENSE_LIMIT
    expected = _dense_count(A)
    assert bethe_hessian_spectrum(A, np.random.RandomState(0)) == max(expected, 1)
    k, X = bethe_hessian_embedding(A, np.random.RandomState(0))
    assert k == max(expected, 1)
    assert (X is None) if k == 1 else X.shape == (A.shape[0], k)


def test_count_below_on_a_known_spectrum():
    """Well separated, clustered and bulk eigenvalues: ghosts of the converged ones are
    not counted twice, and ``max_count`` stops the count early."""
    rng = np.random.RandomState(0)
    low = np.array([-9.0, -7.5, -7.4, -3.0, -2.99, -1.0])
    w = np.concatenate([low, rng.uniform(0.0, 20.0, 800)])
    Q, _ = np.linalg.qr(rng.normal(size=(w.size, w.size)))
    H = sp.csr_array((Q * w) @ Q.T)
    assert count_below(H, -0.5, 0.5, np.random.RandomState(1)) == low.size
    assert count_below(H, -5.0, 0.5, np.random.RandomState(1)) == 3
    assert count_below(H, -0.5, 0.5, np.random.RandomState(1), max_count=2) == 2
