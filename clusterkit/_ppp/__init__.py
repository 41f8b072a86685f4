"""PPP family: probabilistic partitive partitioning (estimator, split tree, codebook, EM).

Only the names below are used outside the family: the estimator and its tree for users,
the codebook seams for :mod:`clusterkit.dask`.
"""
from ._codebook import build_codebook, merge_codebooks
from ._ppp import PPP
from ._tree import PPPTree

__all__ = ["PPP", "PPPTree", "build_codebook", "merge_codebooks"]
