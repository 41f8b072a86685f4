"""clusterkit: k-medoids, probabilistic partitive partitioning and hierarchical community
detection as scikit-learn estimators."""

from ._medoids import (
    CLARA,
    CLARANS,
    KMedoids,
    KMedoidsResult,
    OneBatchPAM,
    alternating,
    build,
    dynmsc,
    fastermsc,
    fasterpam,
    fastmsc,
    fastpam1,
    fastpam2,
    lab,
    pam,
    pammedsil,
    pamsil,
)
from ._ppp import PPP, PPPTree

__version__ = "0.1.0.dev0"

__all__ = [
    "CLARA",
    "CLARANS",
    "KMedoids",
    "KMedoidsResult",
    "OneBatchPAM",
    "PPP",
    "PPPTree",
    "alternating",
    "build",
    "dynmsc",
    "fastermsc",
    "fasterpam",
    "fastmsc",
    "fastpam1",
    "fastpam2",
    "lab",
    "pam",
    "pammedsil",
    "pamsil",
    "__version__",
]
