"""Hierarchical community detection on graphs.

Bottom-up (:class:`AgglomerativeCommunities`, recommended) and top-down
(:class:`DivisiveCommunities`, the baseline) community trees, and the metrics that compare a
tree with the levels of a hierarchical stochastic block model.
"""
from .._utils._hierarchy import count_inversions
from ._agglomerative import AgglomerativeCommunities
from ._divisive import DivisiveCommunities

# the HSBM tree helpers: public through clusterkit.datasets, which uses them from here
from ._hsbm import (  # noqa: F401
    _check_ancestor_depth,
    balanced_ancestor_depth,
    levels_from_ancestor_depth,
)
from ._metrics import (
    chernoff_hellinger,
    chernoff_hellinger_levels,
    dasgupta_cost,
    exact_recovery,
    hierarchy_scores,
    matched_accuracy,
    tree_recovery,
)
from ._plotting import plot_community_dendrogram

__all__ = [
    "AgglomerativeCommunities",
    "DivisiveCommunities",
    "chernoff_hellinger",
    "chernoff_hellinger_levels",
    "count_inversions",
    "dasgupta_cost",
    "exact_recovery",
    "hierarchy_scores",
    "matched_accuracy",
    "plot_community_dendrogram",
    "tree_recovery",
]
