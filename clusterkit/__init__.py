"""clusterkit: k-medoids, probabilistic partitive partitioning and hierarchical community
detection as scikit-learn estimators."""

from ._ppp import PPP

__version__ = "0.1.0.dev0"

__all__ = ["PPP", "__version__"]
