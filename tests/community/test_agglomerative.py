"""AgglomerativeCommunities: bottom communities (Bethe-Hessian, Louvain, a callable), their
refinement, and the density linkage over them."""
import networkx as nx
import numpy as np
import pytest

from clusterkit.community import (
    AgglomerativeCommunities,
    count_inversions,
    exact_recovery,
    hierarchy_scores,
)
from clusterkit.datasets import make_hsbm


def test_bottom_up_on_depth_three_tree_merges_siblings_first(cut_like):
    A, levels = make_hsbm(3, 2, 60, p=[0.01, 0.05, 0.15, 0.5], random_state=3)
    model = AgglomerativeCommunities(n_communities=8, random_state=0).fit(A)
    scores = hierarchy_scores(levels[1:], cut_like(model, levels[1:]))
    assert scores["exact"].all()
    assert count_inversions(model.linkage_) == 0


def test_louvain_and_callable_base(easy_hsbm):
    A, levels = easy_hsbm
    louvain = AgglomerativeCommunities(base="louvain", random_state=0).fit(A)
    assert exact_recovery(levels[1], louvain.cut(2))
    seen = {}

    def by_truth(adjacency, n_communities, seed):
        seen.update(n=adjacency.shape[0], k=n_communities, seed=seed)
        return levels[2]

    model = AgglomerativeCommunities(n_communities=4, base=by_truth, random_state=0).fit(A)
    assert seen["n"] == A.shape[0] and seen["k"] == 4 and isinstance(seen["seed"], int)
    assert exact_recovery(levels[2], model.labels_)
    assert exact_recovery(levels[1], model.cut(2))


def test_clique_is_one_community():
    clique = AgglomerativeCommunities(random_state=0).fit(nx.complete_graph(20))
    assert clique.n_communities_ == 1 and clique.linkage_.shape == (0, 4)
    np.testing.assert_array_equal(clique.cut(1), 0)


def test_base_callable_output_is_checked(easy_hsbm):
    A, _ = easy_hsbm
    with pytest.raises(ValueError, match="shape"):
        AgglomerativeCommunities(base=lambda adj, k, seed: np.zeros(3, int)).fit(A)
    with pytest.raises(ValueError, match="non-negative integer"):
        AgglomerativeCommunities(base=lambda adj, k, seed: -np.ones(400, int)).fit(A)


def test_louvain_refuses_n_communities():
    with pytest.raises(ValueError, match="cannot be set with base='louvain'"):
        AgglomerativeCommunities(base="louvain", n_communities=2).fit(nx.karate_club_graph())


def test_number_of_communities_estimated_in_the_dense_regime():
    """The paper's regime a log(N) / N: all 8 detectable bottom communities are found."""
    A, levels = make_hsbm(3, 2, 200, p=[40, 45, 70, 100], scale="log", random_state=0)
    model = AgglomerativeCommunities(random_state=0).fit(A)
    assert model.n_communities_ == 8
    assert exact_recovery(levels[2], model.cut(4))


def test_refinement_repairs_a_few_misplaced_nodes(easy_hsbm):
    """A base clustering with a few nodes in the wrong branch is repaired by one sweep."""
    A, levels = easy_hsbm
    noisy = levels[2].copy()
    noisy[[0, 1, 150, 250]] = [3, 2, 0, 1]  # four nodes moved to another top-level half

    def base(adjacency, n_communities, seed):
        return noisy

    repaired = AgglomerativeCommunities(base=base, random_state=0).fit(A)
    kept = AgglomerativeCommunities(base=base, refine=0, random_state=0).fit(A)
    assert exact_recovery(levels[2], repaired.labels_)
    assert exact_recovery(noisy, kept.labels_)
    assert not exact_recovery(levels[1], kept.cut(2))


def test_too_large_linkage_is_refused_before_it_is_allocated(easy_hsbm, monkeypatch):
    from clusterkit.community import _agglomerative

    monkeypatch.setattr(_agglomerative, "MAX_LINKAGE_BYTES", 100)
    with pytest.raises(MemoryError, match=r"The linkage of 4 bottom communities needs "
                                          r"128\.0 B, more than the 100\.0 B .*n_communities"):
        AgglomerativeCommunities(random_state=0).fit(easy_hsbm[0])


def test_partition_array_base_builds_the_tree_over_exactly_that_partition():
    """A flat partition found elsewhere (here networkx's Louvain on les miserables) gets
    the density linkage over its communities, in the node order of the graph."""
    G = nx.les_miserables_graph()
    parts = nx.community.louvain_communities(G, seed=0)
    index = {node: i for i, node in enumerate(G.nodes)}
    partition = np.empty(G.number_of_nodes(), dtype=int)
    for k, part in enumerate(parts):
        partition[[index[node] for node in part]] = k
    model = AgglomerativeCommunities(base=partition).fit(G)
    assert model.n_communities_ == len(parts)
    assert exact_recovery(partition, model.labels_)
    assert model.linkage_.shape == (len(parts) - 1, 4)
    # the same as a callable that returns it, without refinement
    same = AgglomerativeCommunities(base=lambda adj, k, seed: partition, refine=0).fit(G)
    np.testing.assert_array_equal(model.labels_, same.labels_)
    np.testing.assert_array_equal(model.linkage_, same.linkage_)


def test_partition_spanning_components_is_split_and_isolated_nodes_dropped():
    G = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(4))
    G.add_node(99)
    model = AgglomerativeCommunities(base=np.zeros(9, dtype=int)).fit(G)
    assert model.labels_.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, -1]


@pytest.mark.parametrize("partition, match", [
    (np.zeros(76, dtype=int), "76 labels but the graph has 77 nodes"),
    (np.zeros(77), "integer community labels, got dtype float64"),
    (np.zeros(77, dtype=bool), "integer community labels, got dtype bool"),
    (np.zeros((77, 1), dtype=int), "1-D array"),
    (-np.ones(77, dtype=int), "non-negative"),
])
def test_partition_array_base_errors_name_the_problem(partition, match):
    with pytest.raises(ValueError, match=match):
        AgglomerativeCommunities(base=partition).fit(nx.les_miserables_graph())


def test_partition_array_base_refuses_n_communities():
    with pytest.raises(ValueError, match="n_communities cannot be set with a partition"):
        AgglomerativeCommunities(base=np.zeros(34, dtype=int), n_communities=2).fit(
            nx.karate_club_graph())
