"""make_hsbm: the graph a user samples has the structure they asked for."""
import numpy as np
import pytest

from clusterkit.datasets import balanced_ancestor_depth, make_hsbm


def _lca_depth_of_edges(A, levels):
    """Depth of the lowest common ancestor of the two ends of every edge (i < j)."""
    coo = A.tocoo()
    upper = coo.row < coo.col
    i, j = coo.row[upper], coo.col[upper]
    same = levels[:, i] == levels[:, j]
    return same.sum(axis=0) - 1  # level 0 is always shared


def test_edge_densities_match_requested_per_level():
    p = np.array([0.01, 0.05, 0.2])
    A, levels = make_hsbm(2, 2, 150, p=p, random_state=0)
    N = A.shape[0]
    depth_of_edge = _lca_depth_of_edges(A, levels)
    same = levels[:, :, None] == levels[:, None, :]
    pair_depth = same.sum(axis=0) - 1
    iu = np.triu_indices(N, 1)
    n_pairs = np.bincount(pair_depth[iu], minlength=3)
    n_edges = np.bincount(depth_of_edge, minlength=3)
    density = n_edges / n_pairs
    sd = np.sqrt(p * (1 - p) / n_pairs)
    assert np.all(np.abs(density - p) < 4 * sd), (density, p)


def test_graph_is_simple_symmetric_and_binary():
    A, levels = make_hsbm(3, 2, 40, p=[0.05, 0.1, 0.2, 0.5], random_state=1)
    assert A.shape == (320, 320)
    assert (A != A.T).nnz == 0
    assert A.diagonal().sum() == 0
    assert set(np.unique(A.data)) == {1.0}
    assert levels.shape == (4, 320)
    assert [len(np.unique(lab)) for lab in levels] == [1, 2, 4, 8]
    # nested levels: each level-l community lies inside one level-(l-1) community
    for up, down in zip(levels[:-1], levels[1:]):
        for k in np.unique(down):
            assert len(np.unique(up[down == k])) == 1


def test_reproducible_with_random_state():
    kw = dict(p=[0.02, 0.1, 0.4], random_state=7)
    A1, L1 = make_hsbm(2, 3, 30, **kw)
    A2, L2 = make_hsbm(2, 3, 30, **kw)
    A3, _ = make_hsbm(2, 3, 30, p=[0.02, 0.1, 0.4], random_state=8)
    assert (A1 != A2).nnz == 0 and np.array_equal(L1, L2)
    assert (A1 != A3).nnz > 0


def test_scales_and_mean_degree():
    N = 8 * 500
    A, _ = make_hsbm(3, 2, 500, p=[1, 2, 3, 4], scale="log", random_state=0)
    # expected mean degree sum_l p_l * (number of other nodes at ancestor depth l)
    others = np.array([N / 2, N / 4, N / 8, N / 8 - 1])
    expected = np.sum(np.array([1, 2, 3, 4]) * np.log(N) / N * others)
    assert A.nnz / N == pytest.approx(expected, rel=0.05)
    A, _ = make_hsbm(3, 2, 500, p=[1, 2, 3, 4], scale="degree", random_state=0)
    assert A.nnz / N == pytest.approx(np.sum(np.array([1, 2, 3, 4]) / N * others), rel=0.05)
    A, _ = make_hsbm(3, 2, 500, p=[1, 2, 3, 4], mean_degree=12.0, random_state=0)
    assert A.nnz / N == pytest.approx(12.0, rel=0.05)


def test_sampling_never_forms_a_dense_matrix():
    # a dense 10^6 x 10^6 matrix would need 8 TB: this can only run in O(edges)
    A, levels = make_hsbm(2, 2, 250_000, p=[1, 2, 4], mean_degree=2.0, random_state=0)
    assert A.shape == (10 ** 6, 10 ** 6)
    assert A.nnz / A.shape[0] == pytest.approx(2.0, rel=0.02)


def test_unbalanced_tree_from_ancestor_depth():
    M = [[2, 1, 0], [1, 2, 0], [0, 0, 1]]  # leaf 2 hangs directly below the root
    A, levels = make_hsbm(n_per_community=[30, 40, 50], p=[0.0, 0.3, 0.9], ancestor_depth=M,
                          random_state=0)
    assert levels.shape == (3, 120)
    assert levels[1].tolist() == [0] * 70 + [1] * 50
    assert levels[2].tolist() == [0] * 30 + [1] * 40 + [2] * 50
    # p[0] = 0: no edge between the two top-level communities
    assert A[:70][:, 70:].nnz == 0
    assert np.array_equal(balanced_ancestor_depth(1, 3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize("kwargs, match", [
    (dict(p=[0.1, 0.2]), "depth \\+ 1"),
    (dict(p=None), "required"),
    (dict(p=[0.1, 0.2, 0.3, 1.5]), "exceed 1"),
    (dict(p=[0.1, 0.2, 0.3, -0.1]), "non-negative"),
    (dict(p=[0.1, 0.2, 0.3, 0.4], scale="sqrt"), "scale"),
    (dict(p=[0.1, 0.2, 0.3, 0.4], n_per_community=0), "positive"),
    (dict(p=[0.1, 0.2, 0.3, 0.4], n_per_community=[5, 5]), "one per bottom"),
    (dict(p=[0.1, 0.2, 0.3, 0.4], mean_degree=-1.0), "mean_degree"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_hsbm(3, 2, **{"n_per_community": 10, **kwargs})


def test_ancestor_depth_must_describe_a_tree():
    not_ultrametric = [[2, 1, 0], [1, 2, 1], [0, 1, 2]]
    with pytest.raises(ValueError, match="not the common-ancestor depth matrix"):
        make_hsbm(n_per_community=5, p=[0.1, 0.2, 0.3], ancestor_depth=not_ultrametric)
    with pytest.raises(ValueError, match="symmetric"):
        make_hsbm(n_per_community=5, p=[0.1, 0.2, 0.3], ancestor_depth=[[2, 1], [0, 2]])


def test_degree_corrected_hsbm_has_heavy_tailed_degrees_and_the_same_levels():
    from clusterkit.datasets import make_hsbm

    kw = dict(p=[1, 3, 9, 27], mean_degree=20, random_state=0)
    A0, levels0 = make_hsbm(3, 2, 500, **kw)
    A, levels = make_hsbm(3, 2, 500, theta=1.8, **kw)
    np.testing.assert_array_equal(levels, levels0)
    d0, d = A0.sum(axis=1), A.sum(axis=1)
    assert d.max() > 5 * d0.max()                       # hubs
    assert 0.8 * d0.mean() < d.mean() <= 1.02 * d0.mean()
    assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0 and set(A.data) == {1.0}
    # the same seed, the same graph
    again, _ = make_hsbm(3, 2, 500, theta=1.8, **kw)
    assert (again != A).nnz == 0
    # the propensities set the expected degrees: given ones, the high half has more edges
    theta = np.tile(np.r_[np.full(250, 3.0), np.ones(250)], 8)
    A2, _ = make_hsbm(3, 2, 500, theta=theta, **kw)
    d2 = A2.sum(axis=1)
    assert d2[theta == 3.0].mean() > 2.5 * d2[theta == 1.0].mean()


@pytest.mark.parametrize("theta, match", [
    (1.0, "above 1"),
    (np.ones(7), "one propensity per node"),
    (np.r_[np.zeros(1), np.ones(3999)], "positive"),
])
def test_degree_correction_errors(theta, match):
    from clusterkit.datasets import make_hsbm

    with pytest.raises(ValueError, match=match):
        make_hsbm(3, 2, 500, p=[1, 3, 9, 27], mean_degree=20, theta=theta)
