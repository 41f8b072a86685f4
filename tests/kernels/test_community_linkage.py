"""density_average_linkage, the kernel of the bottom-up community tree, against brute force."""
import numpy as np
import pytest
from scipy.cluster.hierarchy import is_monotonic, is_valid_linkage

from clusterkit._fast._community_linkage import density_average_linkage


def _reference_linkage(W, sizes):
    """Brute force: recompute every density each step; ties -> lowest slot pair; the
    merged cluster keeps the lower slot."""
    W = W.astype(float).copy()
    sizes = sizes.astype(float).copy()
    K = len(sizes)
    ids = list(range(K))
    active = list(range(K))
    rows = []
    for t in range(K - 1):
        best = None
        for i in active:
            for j in active:
                if i < j:
                    s = W[i, j] / (sizes[i] * sizes[j])
                    if best is None or s > best[0]:
                        best = (s, i, j)
        s, i, j = best
        rows.append((min(ids[i], ids[j]), max(ids[i], ids[j]), s))
        W[i] += W[j]
        W[:, i] = W[i]
        sizes[i] += sizes[j]
        active.remove(j)
        ids[i] = K + t
    return np.array(rows)


@pytest.mark.parametrize("integer", [False, True])
def test_linkage_kernel_matches_brute_force(integer):
    rng = np.random.default_rng(0)
    K = 15
    W = rng.integers(0, 4, size=(K, K)) if integer else rng.random((K, K))
    W = np.triu(W, 1)
    W = (W + W.T).astype(float)
    sizes = rng.integers(1, 5, size=K).astype(float)
    Z, sim, n_nodes = density_average_linkage(W, sizes, W.max())
    ref = _reference_linkage(W, sizes)
    np.testing.assert_array_equal(Z[:, :2], ref[:, :2])
    np.testing.assert_allclose(sim, ref[:, 2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Z[:, 2], 1 - sim / W.max())
    assert n_nodes[-1] == sizes.sum()
    assert is_valid_linkage(Z) and is_monotonic(Z)


def test_linkage_kernel_single_community():
    Z, sim, n_nodes = density_average_linkage(np.zeros((1, 1)), np.ones(1), 1.0)
    assert Z.shape == (0, 4) and sim.shape == (0,)
