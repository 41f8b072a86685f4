"""Metrics that compare a community tree with the levels of an HSBM, and the exact-recovery
thresholds."""
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from clusterkit.community import (
    AgglomerativeCommunities,
    chernoff_hellinger,
    chernoff_hellinger_levels,
    count_inversions,
    dasgupta_cost,
    exact_recovery,
    matched_accuracy,
    tree_recovery,
)


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


def test_chernoff_hellinger_levels_unbalanced_tree():
    M = [[2, 1, 0], [1, 2, 0], [0, 0, 1]]  # leaf 2 hangs below the root
    bu, td = chernoff_hellinger_levels([10, 30, 60], ancestor_depth=M,
                                       n_per_community=[1, 1, 2])
    assert bu.shape == td.shape == (2,)
    assert np.all(bu >= td - 1e-9) and np.all(bu > 0)


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
