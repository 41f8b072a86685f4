"""scikit-learn's estimator checks for every public estimator (every KMedoids method, the
silhouette methods and n_clusters="auto" included), in one place, with every expected
failure and its reason."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterkit import CLARA, CLARANS, PPP, KMedoids, OneBatchPAM
from clusterkit.community import AgglomerativeCommunities, DivisiveCommunities

# Checks that cannot hold for k-medoids, with the reason.
RANDOM_INIT_WEIGHTS = (
    "a random initial medoid set is drawn among n rows, so repeating rows changes which "
    "medoids are drawn; with init='build' weights equal duplicates exactly "
    "(see tests/medoids/test_kmedoids.py)")
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": RANDOM_INIT_WEIGHTS,
    "check_sample_weight_equivalence_on_sparse_data": RANDOM_INIT_WEIGHTS,
}


PAMSIL_WEIGHTS = (
    "method='pamsil' takes no sample_weight (the silhouette's mean distance to the own "
    "cluster excludes the object itself, so no weighting equals duplicated points): fit "
    "raises a ValueError for non-constant weights, as documented")
PAMSIL_FAILURES = {
    "check_sample_weights_not_overwritten": PAMSIL_WEIGHTS,
    "check_sample_weight_equivalence_on_dense_data": PAMSIL_WEIGHTS,
    "check_sample_weight_equivalence_on_sparse_data": PAMSIL_WEIGHTS,
}


def _configs():
    for method in ("fasterpam", "fastpam1", "fastpam2", "pam", "alternate"):
        for init in ("random", "build", "lab", "k-medoids++"):
            yield KMedoids(n_clusters=3, method=method, init=init, random_state=0)
    for method in ("fastermsc", "fastmsc", "pammedsil", "pamsil"):
        for init in ("random", "build"):
            yield KMedoids(n_clusters=3, method=method, init=init, random_state=0)
    yield KMedoids(n_clusters=3, method="fastermsc", metric="precomputed", random_state=0)
    yield KMedoids(n_clusters="auto", max_clusters=5, method="fastermsc", random_state=0)
    yield KMedoids(n_clusters="auto", max_clusters=5, method="fastermsc", init="build",
                   random_state=0)
    yield KMedoids(n_clusters="auto", max_clusters=5, init="build", random_state=0)
    yield KMedoids(n_clusters=3, metric="manhattan", random_state=0)
    yield KMedoids(n_clusters=3, metric="precomputed", random_state=0)
    for method in ("fasterpam", "fastpam2", "pam"):
        yield CLARA(n_clusters=3, method=method, random_state=0)
    yield CLARA(n_clusters=3, metric="precomputed", random_state=0)
    for method in ("fast", "classic"):
        yield CLARANS(n_clusters=3, method=method, random_state=0)
    yield OneBatchPAM(n_clusters=3, random_state=0)
    yield OneBatchPAM(n_clusters=3, weighting=False, refine=False, init="k-medoids++",
                      random_state=0)
    yield OneBatchPAM(n_clusters=3, metric="precomputed", random_state=0)
    yield PPP()
    yield AgglomerativeCommunities(random_state=0)
    yield DivisiveCommunities(random_state=0)


PRECOMPUTED_FAILURES = {
    "check_clustering": "it fits on a 50 x 2 feature matrix even for a pairwise estimator; "
                        "a precomputed dissimilarity matrix must be square",
}


SAMPLING_WEIGHTS = (
    "CLARANS draws random restarts and candidates among the n rows: repeating rows changes "
    "the draws, so weights cannot equal duplicates (CLARA passes here because the check's "
    "data fits in one sample and its default init is BUILD)")


GRAPH_FAILURES = {
    "check_clustering": "feeds an (n_samples, 2) feature matrix; X must be a square "
                        "adjacency matrix of a graph",
}


def _expected(est):
    if isinstance(est, (AgglomerativeCommunities, DivisiveCommunities)):
        return GRAPH_FAILURES
    if isinstance(est, PPP):
        return {}
    if isinstance(est, CLARANS):
        return {c: SAMPLING_WEIGHTS for c in EXPECTED_FAILURES}
    if isinstance(est, (CLARA, OneBatchPAM)):
        return PRECOMPUTED_FAILURES if est.metric == "precomputed" else {}
    if est.method == "pamsil":
        return PAMSIL_FAILURES
    if est.metric == "precomputed":
        return {**EXPECTED_FAILURES, **PRECOMPUTED_FAILURES}
    if est.init == "build":
        return {}
    return EXPECTED_FAILURES


@parametrize_with_checks(list(_configs()), expected_failed_checks=_expected)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
