"""clusterkit: k-medoids, probabilistic partitive partitioning and hierarchical community
detection as scikit-learn estimators."""

from ._medoids import (
    CLARA,
    CLARANS,
    KMedoids,
    KMedoidsResult,
    alternating,
    build,
    fasterpam,
    fastpam1,
    fastpam2,
    lab,
    pam,
)
from ._ppp import PPP, PPPTree

__version__ = "0.1.0.dev0"

__all__ = [
    "CLARA",
    "CLARANS",
    "KMedoids",
    "KMedoidsResult",
    "PPP",
    "PPPTree",
    "alternating",
    "build",
    "fasterpam",
    "fastpam1",
    "fastpam2",
    "lab",
    "pam",
    "__version__",
]
