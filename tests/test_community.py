"""Hierarchical community detection: what a user of the two estimators relies on."""
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.cluster.hierarchy import is_monotonic, is_valid_linkage
from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterkit._fast._community_linkage import density_average_linkage
from clusterkit.community import (
    AgglomerativeCommunities,
    DivisiveCommunities,
    chernoff_hellinger,
    chernoff_hellinger_levels,
    count_inversions,
    dasgupta_cost,
    exact_recovery,
    hierarchy_scores,
    matched_accuracy,
    tree_recovery,
)
from clusterkit.datasets import make_hsbm

ESTIMATORS = [AgglomerativeCommunities, DivisiveCommunities]


@pytest.fixture(scope="module")
def easy_hsbm():
    """Depth-2 binary HSBM, far above every exact-recovery threshold."""
    return make_hsbm(2, 2, 100, p=[0.01, 0.08, 0.35], random_state=0)


def _levels_pred(model, levels):
    return [model.cut(len(np.unique(lab))) for lab in levels]


# ----------------------------------------------------------------------------- kernel

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


# ----------------------------------------------------------------- recovery on HSBMs

@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("n_communities", [None, 4])
def test_easy_hsbm_every_level_recovered_exactly(Estimator, n_communities, easy_hsbm):
    A, levels = easy_hsbm
    model = Estimator(n_communities=n_communities, random_state=0).fit(A)
    assert model.n_communities_ == 4
    scores = hierarchy_scores(levels[1:], _levels_pred(model, levels[1:]))
    assert scores["exact"].all(), scores
    assert tree_recovery(levels[1:], model.labels_, model.linkage_)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_linkage_valid_for_scipy_and_monotone(Estimator, easy_hsbm):
    A, _ = easy_hsbm
    model = Estimator(n_communities=4, random_state=0).fit(A)
    Z = model.linkage_
    assert Z.shape == (model.n_communities_ - 1, 4)
    assert is_valid_linkage(Z)
    assert is_monotonic(Z)


def test_bottom_up_on_depth_three_tree_merges_siblings_first():
    A, levels = make_hsbm(3, 2, 60, p=[0.01, 0.05, 0.15, 0.5], random_state=3)
    model = AgglomerativeCommunities(n_communities=8, random_state=0).fit(A)
    scores = hierarchy_scores(levels[1:], _levels_pred(model, levels[1:]))
    assert scores["exact"].all()
    assert count_inversions(model.linkage_) == 0


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_reproducible_with_random_state(Estimator):
    A, _ = make_hsbm(2, 2, 80, p=[0.03, 0.06, 0.12], random_state=1)  # hard: seeds matter
    m1 = Estimator(n_communities=4, random_state=3).fit(A)
    m2 = Estimator(n_communities=4, random_state=3).fit(A)
    np.testing.assert_array_equal(m1.labels_, m2.labels_)
    np.testing.assert_array_equal(m1.linkage_, m2.linkage_)


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


# ------------------------------------------------------------------------- cut

@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cut_levels_are_nested(Estimator, easy_hsbm):
    A, _ = easy_hsbm
    model = Estimator(n_communities=4, random_state=0).fit(A)
    assert exact_recovery(model.cut(4), model.labels_)
    np.testing.assert_array_equal(model.cut(1), 0)
    for k in range(1, 4):
        coarse, fine = model.cut(k), model.cut(k + 1)
        assert len(np.unique(fine)) == k + 1
        for c in np.unique(fine):
            assert len(np.unique(coarse[fine == c])) == 1
    with pytest.raises(ValueError, match="between 1 and"):
        model.cut(5)
    with pytest.raises(ValueError, match="between 1 and"):
        model.cut(0)


# ----------------------------------------------------------------------- graph zoo

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


def test_clique_is_one_community():
    clique = AgglomerativeCommunities(random_state=0).fit(nx.complete_graph(20))
    assert clique.n_communities_ == 1 and clique.linkage_.shape == (0, 4)
    np.testing.assert_array_equal(clique.cut(1), 0)


# -------------------------------------------------------------------- bad input

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


def test_base_callable_output_is_checked(easy_hsbm):
    A, _ = easy_hsbm
    with pytest.raises(ValueError, match="shape"):
        AgglomerativeCommunities(base=lambda adj, k, seed: np.zeros(3, int)).fit(A)
    with pytest.raises(ValueError, match="non-negative integer"):
        AgglomerativeCommunities(base=lambda adj, k, seed: -np.ones(400, int)).fit(A)


def test_louvain_refuses_n_communities():
    with pytest.raises(ValueError, match="cannot be set with base='louvain'"):
        AgglomerativeCommunities(base="louvain", n_communities=2).fit(nx.karate_club_graph())


def test_parameters_not_changed_by_fit(easy_hsbm):
    model = AgglomerativeCommunities()
    model.fit(easy_hsbm[0])
    assert model.n_communities is None and model.random_state is None


# ----------------------------------------------------------------- divisive extras

def test_divisive_reports_inversions_of_its_split_densities():
    """n_inversions_ counts (split, child split) pairs where the child is sparser."""
    A, _ = make_hsbm(3, 2, 50, p=[0.02, 0.05, 0.06, 0.3], random_state=2)
    model = DivisiveCommunities(n_communities=8, random_state=0).fit(A)
    Z, dens = model.linkage_, model.split_densities_
    K = model.n_communities_
    expected = sum(1 for t in range(K - 1) for c in Z[t, :2].astype(int)
                   if c >= K and dens[c - K] < dens[t])
    assert model.n_inversions_ == expected
    assert is_monotonic(Z)
    # the stored heights are the raw ones raised to their children's: never below raw
    assert np.all(Z[:, 2] >= 1 - dens - 1e-12)


# ------------------------------------------------------------------------ metrics

def test_matched_accuracy_and_exact_recovery():
    assert matched_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]) == 1.0
    assert matched_accuracy([0, 0, 0, 1], [0, 1, 2, 3]) == 0.5
    assert exact_recovery([0, 0, 1], [1, 1, 0])
    assert not exact_recovery([0, 0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        matched_accuracy([0, 1], [0, 1, 1])


def test_count_inversions_by_hand():
    Z = np.array([[0, 1, 0.2, 2], [2, 3, 0.4, 2], [4, 5, 0.3, 4]])
    assert count_inversions(Z) == 1  # merge 6 (0.3) is lower than its child 5 (0.4)
    assert count_inversions(Z[:2]) == 0


def test_chernoff_hellinger_two_communities_closed_form():
    a, b = 16.0, 4.0
    ch = chernoff_hellinger([[a, b], [b, a]], [0.5, 0.5])
    assert ch[0, 1] == pytest.approx((np.sqrt(a) - np.sqrt(b)) ** 2 / 2, rel=1e-8)
    assert ch[0, 0] == 0.0


def test_chernoff_hellinger_levels_bottom_up_never_needs_more():
    bu, td = chernoff_hellinger_levels([40, 45, 90, 100], depth=3, branching=2)
    assert np.all(bu >= td - 1e-9)
    assert bu[0] > 1 and bu[1] > 1 and bu[2] < 1
    assert np.all(np.diff(bu) <= 1e-9)  # deeper levels are harder
    # depth 1 is a plain 2-block SBM: both agree with the closed form
    bu, td = chernoff_hellinger_levels([4, 16], depth=1, branching=2)
    assert bu[0] == pytest.approx(2.0) and td[0] == pytest.approx(2.0)


def test_tree_recovery_detects_a_wrong_tree(easy_hsbm):
    A, levels = easy_hsbm
    model = AgglomerativeCommunities(n_communities=4, random_state=0).fit(A)
    assert tree_recovery(levels[1:], model.labels_, model.linkage_)
    # true level-1 group of every predicted leaf; pair leaf 0 with a non-sibling instead
    group = np.array([levels[1][model.labels_ == k][0] for k in range(4)])
    stranger = int(np.flatnonzero(group != group[0])[0])
    rest = sorted(set(range(4)) - {0, stranger})
    wrong = np.array([[0, stranger, 0.1, 2], [rest[0], rest[1], 0.2, 2], [4, 5, 0.5, 4]],
                     dtype=float)
    assert not tree_recovery(levels[1:], model.labels_, wrong)
    assert exact_recovery(levels[2], model.labels_)  # the leaves themselves were right


def test_dasgupta_cost_by_hand():
    # path 0-1-2-3; communities {0,1}, {2}, {3}; tree ((0, 1), 2) then 3
    A = sp.csr_array(nx.to_scipy_sparse_array(nx.path_graph(4)))
    labels = np.array([0, 0, 1, 2])
    Z = np.array([[0, 1, 0.5, 2], [2, 3, 0.9, 3]], dtype=float)
    # edge 0-1 inside a community of 2 nodes: 2; edge 1-2 under merge of 3 nodes: 3;
    # edge 2-3 under the root (4 nodes): 4
    assert dasgupta_cost(A, labels, Z) == pytest.approx(9.0)


# -------------------------------------------------------------- estimator checks

# These estimators take a graph (a square, symmetric, non-negative adjacency), tagged
# ``pairwise`` and ``positive_only``; the generic checks then feed square positive kernels
# and all pass except the ones that feed non-square data regardless of the tags.
EXPECTED_FAILED_CHECKS = {
    "check_clustering": "feeds an (n_samples, 2) feature matrix; X must be a square "
                        "adjacency matrix of a graph",
}


@parametrize_with_checks([AgglomerativeCommunities(random_state=0),
                          DivisiveCommunities(random_state=0)],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ------------------------------------------------------- number of communities

@pytest.mark.parametrize("p", [0.03, 0.5])
def test_graph_without_structure_is_one_community(p):
    """Erdos-Renyi graphs, sparse or dense, have no community to find."""
    A, _ = make_hsbm(0, 2, 600, p=[p], random_state=0)
    assert AgglomerativeCommunities(random_state=0).fit(A).n_communities_ == 1
    assert DivisiveCommunities(random_state=0).fit(A).n_communities_ == 1


def test_number_of_communities_estimated_in_the_dense_regime():
    """The paper's regime a log(N) / N: all 8 detectable bottom communities are found."""
    A, levels = make_hsbm(3, 2, 200, p=[40, 45, 70, 100], scale="log", random_state=0)
    model = AgglomerativeCommunities(random_state=0).fit(A)
    assert model.n_communities_ == 8
    assert exact_recovery(levels[2], model.cut(4))


# -------------------------------------------------------------------- plotting

def test_plot_community_dendrogram_labels_every_community(easy_hsbm):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clusterkit.community import plot_community_dendrogram

    model = AgglomerativeCommunities(random_state=0).fit(easy_hsbm[0])
    fig, ax = plt.subplots()
    plot_community_dendrogram(model, ax=ax)
    names = sorted(t.get_text() for t in ax.get_xticklabels())
    assert names == [f"C{k} (100)" for k in range(4)]
    with pytest.raises(ValueError, match="leaf_names must have 4"):
        plot_community_dendrogram(model, ax=ax, leaf_names=["a"])
    plt.close(fig)


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


def test_chernoff_hellinger_levels_unbalanced_tree():
    M = [[2, 1, 0], [1, 2, 0], [0, 0, 1]]  # leaf 2 hangs below the root
    bu, td = chernoff_hellinger_levels([10, 30, 60], ancestor_depth=M,
                                       n_per_community=[1, 1, 2])
    assert bu.shape == td.shape == (2,)
    assert np.all(bu >= td - 1e-9) and np.all(bu > 0)
