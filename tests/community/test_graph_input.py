"""Graph input of the community estimators: networkx, sparse and dense graphs, weights, components,
isolated nodes and the errors a user gets for what is not a graph."""
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.cluster.hierarchy import is_monotonic, is_valid_linkage

from clusterkit.community import AgglomerativeCommunities, DivisiveCommunities, exact_recovery
from clusterkit.datasets import make_hsbm

ESTIMATORS = [AgglomerativeCommunities, DivisiveCommunities]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_networkx_input_equals_sparse_input(Estimator, easy_hsbm):
    A, _ = easy_hsbm
    G = nx.from_scipy_sparse_array(A)
    G = nx.relabel_nodes(G, {i: f"n{i}" for i in G.nodes})
    from_graph = Estimator(random_state=0).fit(G)
    from_matrix = Estimator(random_state=0).fit(A)
    assert from_graph.nodes_ == [f"n{i}" for i in range(A.shape[0])]
    assert from_matrix.nodes_ is None
    np.testing.assert_array_equal(from_graph.labels_, from_matrix.labels_)
    np.testing.assert_array_equal(from_graph.linkage_, from_matrix.linkage_)
    dense = Estimator(random_state=0).fit(A.toarray())
    np.testing.assert_array_equal(dense.labels_, from_matrix.labels_)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_weights_scale_free_and_self_loops_ignored(Estimator, easy_hsbm):
    A, _ = easy_hsbm
    ref = Estimator(random_state=0).fit(A)
    scaled = Estimator(random_state=0).fit(3.5 * A)
    np.testing.assert_array_equal(scaled.labels_, ref.labels_)
    np.testing.assert_allclose(scaled.linkage_, ref.linkage_)
    loops = (A + sp.eye_array(A.shape[0]) * 7.0).tocsr()
    looped = Estimator(random_state=0).fit(loops)
    np.testing.assert_array_equal(looped.labels_, ref.labels_)


def _zoo():
    two_cliques = nx.disjoint_union(nx.complete_graph(6), nx.complete_graph(5))
    two_cliques.add_node("lonely")
    return {
        "karate": nx.karate_club_graph(),
        "les_miserables": nx.les_miserables_graph(),
        "disconnected": two_cliques,
        "star": nx.star_graph(12),
        "clique": nx.complete_graph(9),
        "path": nx.path_graph(30),
    }


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("name", list(_zoo()))
def test_graph_zoo(Estimator, name):
    G = _zoo()[name]
    model = Estimator(random_state=0).fit(G)
    K = model.n_communities_
    assert model.labels_.shape == (G.number_of_nodes(),)
    assert set(np.unique(model.labels_)) - {-1} == set(range(K))
    assert model.linkage_.shape == (K - 1, 4)
    if K > 1:
        assert is_valid_linkage(model.linkage_) and is_monotonic(model.linkage_)
    assert len(model.nodes_) == G.number_of_nodes()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_disconnected_components_are_communities_at_the_top(Estimator):
    A, levels = make_hsbm(1, 2, 60, p=[0.0, 0.3], random_state=0)  # two components
    G = nx.from_scipy_sparse_array(A)
    G.add_nodes_from([1000, 1001])  # two isolated nodes
    model = Estimator(random_state=0).fit(G)
    assert model.labels_[-2:].tolist() == [-1, -1]
    top = model.cut(2)
    assert exact_recovery(levels[1], top[:-2])
    assert top[-2:].tolist() == [-1, -1]
    if model.n_communities_ > 2:
        assert model.linkage_[-1, 2] == 1.0  # no edge between components: height 1


def test_n_communities_shared_over_components():
    A, levels = make_hsbm(2, 2, 50, p=[0.0, 0.05, 0.5], random_state=0)
    model = AgglomerativeCommunities(n_communities=4, random_state=0).fit(A)
    assert exact_recovery(levels[2], model.labels_)
    with pytest.raises(ValueError, match="2 connected components"):
        AgglomerativeCommunities(n_communities=1).fit(A)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("X, error, match", [
    (np.ones((3, 4)), ValueError, "square"),
    (np.array([[0, 1.0], [0, 0]]), ValueError, "not symmetric"),
    (np.array([[0, -1.0], [-1.0, 0]]), ValueError, "negative"),
    (np.array([[0, np.nan], [np.nan, 0]]), ValueError, "NaN"),
    (sp.csr_array(np.array([[0, np.inf], [np.inf, 0]])), ValueError, "infinity|infinite"),
    (np.zeros((0, 0)), ValueError, "0 sample|empty"),
    (np.zeros((4, 4)), ValueError, "no edge"),
    (nx.Graph(), ValueError, "empty"),
    (nx.DiGraph([(0, 1), (1, 0)]), TypeError, "directed"),
    ("karate", TypeError, "networkx graph|adjacency"),
])
def test_bad_input(Estimator, X, error, match):
    with pytest.raises(error, match=match):
        Estimator().fit(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_more_communities_than_nodes(Estimator):
    G = nx.path_graph(5)
    with pytest.raises(ValueError, match="larger than the number of nodes"):
        Estimator(n_communities=6).fit(G)
    G.add_node(99)
    with pytest.raises(ValueError, match="at least one edge"):
        Estimator(n_communities=6).fit(G)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_two_node_graph_is_one_community_unless_two_are_asked(Estimator):
    G = nx.Graph([("a", "b")])
    model = Estimator(random_state=0).fit(G)
    assert model.n_communities_ == 1 and model.labels_.tolist() == [0, 0]
    assert Estimator(n_communities=2, random_state=0).fit(G).labels_.tolist() == [0, 1]
    # two such components and an isolated node: the components, joined at height 1
    G.add_edge("c", "d")
    G.add_node("e")
    model = Estimator(random_state=0).fit(G)
    assert model.labels_.tolist() == [0, 0, 1, 1, -1]
    np.testing.assert_array_equal(model.linkage_, [[0.0, 1.0, 1.0, 2.0]])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("weight, match", [(-1.0, "negative"), (np.nan, "NaN"),
                                           (np.inf, "infinite")])
def test_bad_weights_of_a_networkx_graph(Estimator, weight, match):
    G = nx.path_graph(5)
    G[1][2]["weight"] = weight
    with pytest.raises(ValueError, match=match):
        Estimator().fit(G)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_graph_of_self_loops_only_has_no_communities(Estimator):
    G = nx.Graph([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="no edge"):
        Estimator().fit(G)
