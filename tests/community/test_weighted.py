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
