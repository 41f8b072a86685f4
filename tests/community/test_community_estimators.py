"""Hierarchical community detection: what a user of either estimator relies on (recovery of
every level, the cut, reproducibility, scikit-learn compatibility)."""
import numpy as np
import pytest
from scipy.cluster.hierarchy import is_monotonic, is_valid_linkage

from clusterkit.community import (
    AgglomerativeCommunities,
    DivisiveCommunities,
    exact_recovery,
    hierarchy_scores,
    tree_recovery,
)
from clusterkit.datasets import make_hsbm

ESTIMATORS = [AgglomerativeCommunities, DivisiveCommunities]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("n_communities", [None, 4])
def test_easy_hsbm_every_level_recovered_exactly(Estimator, n_communities, easy_hsbm,
                                                 cut_like):
    A, levels = easy_hsbm
    model = Estimator(n_communities=n_communities, random_state=0).fit(A)
    assert model.n_communities_ == 4
    scores = hierarchy_scores(levels[1:], cut_like(model, levels[1:]))
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


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_reproducible_with_random_state(Estimator):
    A, _ = make_hsbm(2, 2, 80, p=[0.03, 0.06, 0.12], random_state=1)  # hard: seeds matter
    m1 = Estimator(n_communities=4, random_state=3).fit(A)
    m2 = Estimator(n_communities=4, random_state=3).fit(A)
    np.testing.assert_array_equal(m1.labels_, m2.labels_)
    np.testing.assert_array_equal(m1.linkage_, m2.linkage_)


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


def test_parameters_not_changed_by_fit(easy_hsbm):
    model = AgglomerativeCommunities()
    model.fit(easy_hsbm[0])
    assert model.n_communities is None and model.random_state is None


# These estimators take a graph (a square, symmetric, non-negative adjacency), tagged
# ``pairwise`` and ``positive_only``; the generic checks then feed square positive kernels
# and all pass except the ones that feed non-square data regardless of the tags.
# scikit-learn's estimator checks for both estimators run in tests/test_estimator_checks.py.


@pytest.mark.parametrize("p", [0.03, 0.5])
def test_graph_without_structure_is_one_community(p):
    """Erdos-Renyi graphs, sparse or dense, have no community to find."""
    A, _ = make_hsbm(0, 2, 600, p=[p], random_state=0)
    assert AgglomerativeCommunities(random_state=0).fit(A).n_communities_ == 1
    assert DivisiveCommunities(random_state=0).fit(A).n_communities_ == 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_verbose_prints_timed_steps_under_the_class_name(Estimator, easy_hsbm, capsys):
    Estimator(random_state=0).fit(easy_hsbm[0])
    assert capsys.readouterr().out == ""
    Estimator(random_state=0, verbose=1).fit(easy_hsbm[0])
    lines = capsys.readouterr().out.splitlines()
    assert lines
    assert all(line.startswith(f"[{Estimator.__name__}] ") and line.endswith(" s)")
               for line in lines)
