"""Hierarchical community detection on graphs.

Bottom-up (:class:`AgglomerativeCommunities`, recommended) and top-down
(:class:`DivisiveCommunities`, the baseline) community trees, and the metrics that compare a
tree with the levels of a hierarchical stochastic block model.
"""
from ._agglomerative import AgglomerativeCommunities
from ._divisive import DivisiveCommunities
from ._tree import count_inversions

__all__ = ["AgglomerativeCommunities", "DivisiveCommunities", "count_inversions"]
