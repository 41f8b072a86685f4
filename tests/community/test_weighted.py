"""Weighted graphs end to end: integer weights are repeated edges, and the weights reach
both the spectral step (weighted Bethe-Hessian) and the linkage densities."""
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from clusterkit.community import (
    AgglomerativeCommunities,
    DivisiveCommunities,
    exact_recovery,
    matched_accuracy,
)
from clusterkit.community._spectral import bethe_hessian, weighted_bethe_hessian
from clusterkit.datasets import make_hsbm


def _multigraph(seed=0):
    """An HSBM whose edges are repeated 1 to 3 times, as a MultiGraph and as weights."""
    A, levels = make_hsbm(2, 2, 60, p=[0.02, 0.1, 0.4], random_state=seed)
    rng = np.random.RandomState(seed)
    M = nx.MultiGraph()
    M.add_nodes_from(range(A.shape[0]))
    W = nx.Graph()
    W.add_nodes_from(range(A.shape[0]))
    rows, cols = sp.triu(A, k=1).nonzero()
    times = rng.randint(1, 4, size=rows.size)
    for u, v, t in zip(rows.tolist(), cols.tolist(), times.tolist()):
        M.add_edges_from([(u, v)] * t)
        W.add_edge(u, v, weight=t)
    # the same multigraph as a COO matrix with one entry per repeated edge
    r = np.repeat(rows, times)
    c = np.repeat(cols, times)
    coo = sp.coo_array((np.ones(2 * r.size), (np.r_[r, c], np.r_[c, r])), shape=A.shape)
    return M, W, coo, levels


@pytest.mark.parametrize("Estimator", [AgglomerativeCommunities, DivisiveCommunities])
def test_integer_weights_equal_repeated_edges(Estimator):
    M, W, coo, _ = _multigraph()
    ref = Estimator(random_state=0).fit(W)
    for other in (M, coo):
        model = Estimator(random_state=0).fit(other)
        np.testing.assert_array_equal(model.labels_, ref.labels_)
        np.testing.assert_array_equal(model.linkage_, ref.linkage_)


def test_merge_densities_count_every_repeated_edge():
    M, _, _, _ = _multigraph(1)
    model = AgglomerativeCommunities(random_state=0).fit(M)
    lab = model.labels_
    a, b = (int(x) for x in model.linkage_[0, :2])  # the first merge joins two leaves
    edges = sum(1 for u, v in M.edges() if {lab[u], lab[v]} == {a, b})
    expected = edges / (np.sum(lab == a) * np.sum(lab == b))
    assert model.merge_densities_[0] == pytest.approx(expected)


def test_communities_only_in_the_weights_are_found():
    """Same topology everywhere (Erdos-Renyi), heavier edges inside two halves: the
    weighted Bethe-Hessian sees two communities, the unweighted graph has none."""
    n = 600
    truth = np.repeat([0, 1], n // 2)
    G = nx.gnp_random_graph(n, 0.04, seed=0)
    for u, v in G.edges:
        G[u][v]["weight"] = 4.0 if truth[u] == truth[v] else 1.0
    bottom_up = AgglomerativeCommunities(random_state=0).fit(G)
    assert bottom_up.n_communities_ == 2 and exact_recovery(truth, bottom_up.labels_)
    top_down = DivisiveCommunities(random_state=0).fit(G)
    assert top_down.n_communities_ == 2
    assert matched_accuracy(truth, top_down.labels_) > 0.98
    for Estimator in (AgglomerativeCommunities, DivisiveCommunities):
        assert Estimator(random_state=0, weight=None).fit(G).n_communities_ == 1


def test_count_weights_of_real_graphs_give_their_communities():
    """Co-appearance and interaction counts (heavy-tailed, 1 to 31 on Les Miserables) are
    weights the spectral step can use: the karate club splits into its two factions and
    Les Miserables into a handful of groups, as without the weights."""
    karate = nx.karate_club_graph()
    model = AgglomerativeCommunities(random_state=0).fit(karate)
    assert model.n_communities_ == 2
    club = np.array([karate.nodes[u]["club"] == "Mr. Hi" for u in model.nodes_])
    assert matched_accuracy(club, model.labels_) >= 0.9
    miserables = nx.les_miserables_graph()
    for Estimator in (AgglomerativeCommunities, DivisiveCommunities):
        assert 2 <= Estimator(random_state=0).fit(miserables).n_communities_ <= 8


def _pareto_weights(A, seed):
    rng = np.random.RandomState(seed)
    upper = sp.triu(A, k=1).tocoo()
    w = rng.pareto(1.5, upper.nnz) + 1.0
    W = sp.coo_array((w, (upper.row, upper.col)), shape=A.shape)
    return sp.csr_array(W + W.T)


def test_heavy_tailed_noise_weights_make_no_communities():
    """Pareto(1.5) weights drawn independently of the topology: an Erdos-Renyi graph stays
    one community, and an HSBM keeps its four (saturating the couplings alone found 17
    and 55 localised 'communities' on these graphs)."""
    er = sp.csr_array(nx.to_scipy_sparse_array(nx.gnp_random_graph(500, 0.02, seed=1)),
                      dtype=np.float64)
    assert AgglomerativeCommunities(random_state=0).fit(
        _pareto_weights(er, 2)).n_communities_ == 1
    A, levels = make_hsbm(2, 2, 300, p=[1, 4, 16], mean_degree=12, random_state=3)
    model = AgglomerativeCommunities(random_state=0).fit(_pareto_weights(A, 4))
    assert model.n_communities_ == 4
    assert matched_accuracy(levels[-1], model.labels_) > 0.8


def test_weighted_bethe_hessian_of_equal_weights_is_the_bethe_hessian():
    """The weighted and unweighted spectral steps agree where both apply, whatever the
    common weight, and the weighted one does not depend on the unit of the weights."""
    A, _ = make_hsbm(2, 2, 50, p=[0.02, 0.1, 0.4], random_state=0)
    for c in (1.0, 3.5):
        np.testing.assert_allclose(weighted_bethe_hessian(c * A).toarray(),
                                   bethe_hessian(A).toarray(), atol=1e-10)
    W = _pareto_weights(A, 0)
    np.testing.assert_allclose(weighted_bethe_hessian(1e3 * W).toarray(),
                               weighted_bethe_hessian(W).toarray(), atol=1e-8)
