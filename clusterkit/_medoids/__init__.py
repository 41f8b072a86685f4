"""The k-medoids family: KMedoids, CLARA, CLARANS, silhouette clustering and the functional
API.

Besides the public names (re-exported by :mod:`clusterkit`), this package names the seams
the layers on top use (``clusterkit.dask``, the command line); they import from here, never
from the private modules below.
"""
from ._base import (
    _MedoidEstimator,
    distance_chunks,
    medoids_in_rows,
    nearest_medoid,
    own_cluster,
)
from ._clara import (
    CLARA,
    CLARA_METHODS,
    cluster_sample,
    default_sample_size,
    draw_independent_samples,
    draw_keep_best_sample,
    quality_sample_size,
)
from ._clarans import CLARANS
from ._engine import (
    INITS,
    METHODS,
    SILHOUETTE_METHODS,
    KMedoidsResult,
    pairwise_dissimilarity,
)
from ._functional import (
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
from ._kmedoids import KMedoids
from ._onebatch import OneBatchPAM
from ._refine import (
    MAX_MEMBERS,
    MAX_ROUNDS,
    N_NEAR,
    N_RANDOM,
    RefineResult,
    best_candidates,
    candidate_costs,
    judging_rows,
    refine_candidates,
    refine_medoids,
)

__all__ = [
    "CLARA",
    "CLARANS",
    "KMedoids",
    "KMedoidsResult",
    "OneBatchPAM",
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
    # seams for clusterkit.dask and the command line
    "CLARA_METHODS",
    "INITS",
    "MAX_MEMBERS",
    "MAX_ROUNDS",
    "METHODS",
    "N_NEAR",
    "N_RANDOM",
    "RefineResult",
    "SILHOUETTE_METHODS",
    "_MedoidEstimator",
    "best_candidates",
    "candidate_costs",
    "cluster_sample",
    "default_sample_size",
    "distance_chunks",
    "draw_independent_samples",
    "draw_keep_best_sample",
    "judging_rows",
    "medoids_in_rows",
    "nearest_medoid",
    "own_cluster",
    "pairwise_dissimilarity",
    "quality_sample_size",
    "refine_candidates",
    "refine_medoids",
]
