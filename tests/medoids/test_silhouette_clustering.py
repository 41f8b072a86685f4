"""Facts users rely on for silhouette clustering and the choice of k: FastMSC performs
PAMMEDSIL's swaps, every method equals the from-scratch reference and the ``kmedoids``
package, the objective never decreases, DynMSC picks the argmax of what it reports, and bad
input gets clear errors or documented values."""
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances, silhouette_score

import clusterkit
from clusterkit import KMedoids
from clusterkit._fast._openmp_helpers import openmp_enabled
from clusterkit.metrics import medoid_silhouette

sys.path.insert(0, str(Path(__file__).parent))
import reference_msc as ref  # noqa: E402

MSC = {"fastermsc": clusterkit.fastermsc, "fastmsc": clusterkit.fastmsc,
       "pammedsil": clusterkit.pammedsil, "pamsil": clusterkit.pamsil}


def integer_matrix(seed, n, scale=5):
    """Integer-valued distances (>= 1 off the diagonal): exact ties are frequent."""
    X = np.random.default_rng(seed).normal(size=(n, 2))
    D = np.round(pairwise_distances(X) * scale) + 1
    np.fill_diagonal(D, 0)
    return D


def blobs_matrix(seed, n=300, centers=6, d=4):
    X, _ = make_blobs(n, n_features=d, centers=centers, cluster_std=2.0, random_state=seed)
    return pairwise_distances(X)


def msil(D, medoids, w=None):
    s = ref.medoid_silhouette_samples(D, medoids)
    return float(np.average(s, weights=w))


# ---------------------------------------------------------------------------------------
# Exactness
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(25))
def test_fastmsc_gives_exactly_pammedsils_medoids(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 50))
    k = int(rng.integers(2, 7))
    D = integer_matrix(seed, n, scale=int(rng.integers(2, 6)))
    start = rng.choice(n, k, replace=False)
    a, b = clusterkit.fastmsc(D, start), clusterkit.pammedsil(D, start)
    assert a.medoids.tolist() == b.medoids.tolist()
    assert a.labels.tolist() == b.labels.tolist()
    assert (a.n_iter, a.n_swaps) == (b.n_iter, b.n_swaps)
    assert a.silhouette == pytest.approx(b.silhouette, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_dynmsc_equals_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 32))
    D = integer_matrix(seed, n)
    w = rng.integers(1, 3, size=n).astype(float)
    start = rng.choice(n, 6, replace=False)
    best_k, best_med, ks, sils = ref.dynmsc(D, start, w, min_k=2)
    res = clusterkit.dynmsc(D, start, sample_weight=w)
    assert res.search["n_clusters"].tolist() == ks.tolist()
    np.testing.assert_allclose(res.search["medoid_silhouette"], sils, rtol=0, atol=1e-12)
    assert len(res.medoids) == best_k and res.medoids.tolist() == best_med.tolist()


@pytest.mark.parametrize("method", list(MSC))
def test_result_fields_hold_what_the_docs_say(method):
    D = blobs_matrix(0, n=120 if method != "pamsil" else 60)
    res = MSC[method](D, 4, random_state=0)
    assert res.loss == pytest.approx(D[:, res.medoids].min(axis=1).sum())
    assert res.labels.tolist() == np.argmin(D[:, res.medoids], axis=1).tolist()
    if method == "pamsil":
        assert res.silhouette == pytest.approx(
            silhouette_score(D, res.labels, metric="precomputed"), abs=1e-12)
    else:
        assert res.silhouette == pytest.approx(msil(D, res.medoids), abs=1e-12)


@pytest.mark.parametrize("method", ["fastermsc", "fastmsc", "pammedsil"])
def test_integer_sample_weights_equal_duplicated_rows(method):
    rng = np.random.default_rng(5)
    n = 30
    D = integer_matrix(5, n)
    w = rng.integers(1, 4, size=n)
    rows = np.repeat(np.arange(n), w)            # copies sit next to their original
    first = np.searchsorted(rows, np.arange(n))
    start = np.array([0, 7, 19, 25])
    a = MSC[method](D, start, sample_weight=w)
    b = MSC[method](D[np.ix_(rows, rows)], first[start])
    assert rows[b.medoids].tolist() == a.medoids.tolist()
    assert a.silhouette == pytest.approx(b.silhouette, abs=1e-12)
    assert a.loss == pytest.approx(b.loss)


def test_float32_matrix_gives_the_float64_clustering():
    D = blobs_matrix(2, n=200)
    for method in ("fastermsc", "fastmsc"):
        a = MSC[method](D, 5, random_state=1)
        b = MSC[method](D.astype(np.float32), 5, random_state=1)
        assert a.medoids.tolist() == b.medoids.tolist()
        assert b.silhouette == pytest.approx(a.silhouette, rel=1e-5)


# ---------------------------------------------------------------------------------------
# The kmedoids package (Rust, the authors' implementation), from the same medoids
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["fastermsc", "fastmsc", "pammedsil", "pamsil"])
def test_same_result_as_the_kmedoids_package(method):
    kmedoids = pytest.importorskip("kmedoids")
    n = 60 if method == "pamsil" else 250
    for seed in range(3):
        D = blobs_matrix(seed, n=n, centers=5)
        for k in (2, 3, 5):
            start = np.random.default_rng(seed + k).choice(n, k, replace=False)
            theirs = getattr(kmedoids, method)(D, start.astype(np.uintp), max_iter=300)
            mine = MSC[method](D, start)
            assert mine.medoids.tolist() == list(theirs.medoids)
            assert mine.silhouette == pytest.approx(theirs.loss, rel=1e-12)
            assert (mine.n_iter, mine.n_swaps) == (theirs.n_iter, theirs.n_swap)
            if k > 2:  # kmedoids assigns distance ties to slot 1 for k = 2
                assert mine.labels.tolist() == list(theirs.labels)


def _dynmsc_steps_by_kmedoids(kmedoids, D, res):
    """kmedoids.fastermsc run at every k from clusterkit's k+1 medoids minus the one its
    DynMSC removes (the first largest removal change)."""
    from clusterkit._fast import _msc
    steps = {}
    for bigger in res.search["medoids"][1:]:
        _, removal = _msc.msc_summary(D, bigger.astype(np.intp), np.ones(len(D)))
        start = np.delete(bigger, int(np.argmax(removal)))
        steps[len(start)] = kmedoids.fastermsc(D, start.astype(np.uintp), max_iter=300)
    return steps


@pytest.mark.parametrize("seed", [0, 1, 2, 9])
def test_every_dynmsc_step_equals_kmedoids_fastermsc_from_the_same_medoids(seed):
    """The k_max run equals kmedoids.dynmsc's; every later k equals kmedoids.fastermsc
    started from the same medoids (the same removal rule)."""
    kmedoids = pytest.importorskip("kmedoids")
    D = blobs_matrix(seed, n=300, centers=6)
    start = np.random.default_rng(seed).choice(300, 12, replace=False)
    theirs = kmedoids.dynmsc(D, start.astype(np.uintp), minimum_k=2, max_iter=300)
    mine = clusterkit.dynmsc(D, start, min_clusters=2)
    assert mine.search["n_clusters"].tolist() == list(theirs.rangek)
    assert mine.search["medoid_silhouette"][-1] == pytest.approx(theirs.losses[-1],
                                                                 rel=1e-12)
    for k, step in _dynmsc_steps_by_kmedoids(kmedoids, D, mine).items():
        i = k - 2
        assert sorted(mine.search["medoids"][i].tolist()) == sorted(step.medoids.tolist())
        assert mine.search["medoid_silhouette"][i] == pytest.approx(step.loss, rel=1e-12)


def test_same_dynmsc_result_as_the_kmedoids_package_where_its_caches_hold():
    """Same k, best medoids (as a set: kmedoids moves its last medoid into the removed slot,
    clusterkit keeps the order) and medoid silhouette at every k as kmedoids.dynmsc."""
    kmedoids = pytest.importorskip("kmedoids")
    for seed in range(3):
        D = blobs_matrix(seed, n=300, centers=6)
        start = np.random.default_rng(seed).choice(300, 12, replace=False)
        theirs = kmedoids.dynmsc(D, start.astype(np.uintp), minimum_k=2, max_iter=300)
        mine = clusterkit.dynmsc(D, start, min_clusters=2)
        np.testing.assert_allclose(mine.search["medoid_silhouette"], theirs.losses,
                                   rtol=1e-12)
        assert len(mine.medoids) == theirs.bestk
        assert sorted(mine.medoids.tolist()) == sorted(theirs.medoids.tolist())
        assert mine.silhouette == pytest.approx(theirs.loss, rel=1e-12)


def test_documented_difference_kmedoids_dynmsc_can_lose_its_third_nearest_caches():
    """kmedoids 0.5.5 updates its third-nearest caches incrementally when DynMSC removes a
    medoid; in some cases the moved medoid is dropped from them (its search for the new
    third uses the removed slot's number as 'unset' while that slot now holds the moved
    medoid). Its k-1 run then differs from kmedoids.fastermsc started from the same
    medoids; clusterkit rebuilds its caches and equals the latter (previous test)."""
    kmedoids = pytest.importorskip("kmedoids")
    D = blobs_matrix(9, n=300, centers=6)
    start = np.random.default_rng(9).choice(300, 12, replace=False)
    theirs = kmedoids.dynmsc(D, start.astype(np.uintp), minimum_k=2, max_iter=300)
    mine = clusterkit.dynmsc(D, start, min_clusters=2)
    fresh = _dynmsc_steps_by_kmedoids(kmedoids, D, mine)
    differs = [k for k, step in fresh.items()
               if abs(step.loss - theirs.losses[k - 2]) > 1e-9]
    assert differs
    for k in differs:
        assert mine.search["medoid_silhouette"][k - 2] == pytest.approx(fresh[k].loss,
                                                                        rel=1e-12)


def test_documented_difference_from_kmedoids_an_object_on_two_coincident_medoids():
    """0/0: clusterkit scores an object whose two nearest medoids are both at distance 0
    with 0 (scikit-learn's convention for the silhouette); kmedoids scores it 1."""
    kmedoids = pytest.importorskip("kmedoids")
    X = np.array([[0.0], [0.0], [0.0], [5.0], [6.0]])
    D = np.abs(X - X.T)
    med = np.array([0, 1, 3])
    mine = medoid_silhouette(D, med, metric="precomputed", samples=True)
    theirs = np.asarray(kmedoids.medoid_silhouette(D, med.astype(np.uintp), True)[1])
    assert mine[:3].tolist() == [0.0, 0.0, 0.0] and theirs[:3].tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(mine[3:], theirs[3:])


# ---------------------------------------------------------------------------------------
# The objective during a swap phase and DynMSC's choice
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", list(MSC))
def test_the_silhouette_never_decreases_during_a_swap_phase(method):
    n = 60 if method == "pamsil" else 200
    D = blobs_matrix(3, n=n, centers=5)
    start = np.random.default_rng(0).choice(n, 5, replace=False)

    def score(m):
        if method == "pamsil":
            return silhouette_score(D, np.argmin(D[:, m], axis=1), metric="precomputed")
        return msil(D, m)

    values = [score(start)]
    swaps = []
    for it in range(1, 12):
        res = MSC[method](D, start, max_iter=it)
        values.append(res.silhouette)
        swaps.append(res.n_swaps)
        assert res.silhouette == pytest.approx(score(res.medoids), abs=1e-12)
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:]))
    assert values[-1] > values[0] and swaps[-1] > 0


def test_dynmsc_picks_the_argmax_of_the_silhouettes_it_reports():
    D = blobs_matrix(4, n=300, centers=4)
    res = clusterkit.dynmsc(D, 9, random_state=0)
    ks, sils = res.search["n_clusters"], res.search["medoid_silhouette"]
    assert ks.tolist() == list(range(2, 10))
    assert len(res.medoids) == ks[np.argmax(sils)]
    assert res.silhouette == pytest.approx(sils.max(), abs=1e-12)
    for k, med, sil, loss in zip(ks, res.search["medoids"], sils, res.search["loss"]):
        assert len(med) == k
        assert sil == pytest.approx(msil(D, med), abs=1e-12)
        assert loss == pytest.approx(D[:, med].min(axis=1).sum())
    assert res.n_swaps == res.search["n_swaps"].sum()


@pytest.mark.skipif(not openmp_enabled(), reason="built without OpenMP")
def test_dynmsc_with_one_and_two_threads_is_identical():
    D = blobs_matrix(6, n=500, centers=6)
    a = clusterkit.dynmsc(D, 10, random_state=3, n_threads=1)
    b = clusterkit.dynmsc(D, 10, random_state=3, n_threads=2)
    assert a.medoids.tolist() == b.medoids.tolist()
    assert a.search["medoid_silhouette"].tolist() == b.search["medoid_silhouette"].tolist()
    assert (a.n_iter, a.n_swaps) == (b.n_iter, b.n_swaps)


# ---------------------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------------------

def test_auto_estimator_equals_dynmsc():
    X, _ = make_blobs(250, centers=5, n_features=3, random_state=2)
    D = pairwise_distances(X)
    km = KMedoids("auto", max_clusters=9, method="fastermsc", random_state=0).fit(X)
    res = clusterkit.dynmsc(D, 9, random_state=0)
    assert km.n_clusters_ == len(res.medoids)
    assert km.medoid_indices_.tolist() == res.medoids.tolist()
    assert km.medoid_silhouette_ == pytest.approx(res.silhouette, abs=1e-12)
    assert km.inertia_ == pytest.approx(res.loss)
    assert km.search_results_["n_clusters"].tolist() == res.search["n_clusters"].tolist()
    np.testing.assert_allclose(km.search_results_["medoid_silhouette"],
                               res.search["medoid_silhouette"])
    assert km.predict(X).tolist() == km.labels_.tolist()


def test_auto_finds_well_separated_clusters_with_any_method():
    X, _ = make_blobs(200, centers=[[0, 0], [20, 0], [0, 20], [20, 20]], cluster_std=1.0,
                      random_state=0)
    for method in ("fasterpam", "fastermsc", "pam"):
        km = KMedoids("auto", max_clusters=8, method=method, init="build").fit(X)
        assert km.n_clusters_ == 4, method
        assert len(km.search_results_["n_clusters"]) == 7


def test_fixed_k_sets_n_clusters_and_the_medoid_silhouette():
    X, _ = make_blobs(120, centers=3, random_state=1)
    D = pairwise_distances(X)
    for method in ("fasterpam", "fastermsc", "pamsil"):
        km = KMedoids(3, method=method, random_state=0).fit(X)
        assert km.n_clusters_ == 3 and not hasattr(km, "search_results_")
        assert km.medoid_silhouette_ == pytest.approx(
            medoid_silhouette(D, km.medoid_indices_, metric="precomputed"), abs=1e-9)


def test_silhouette_methods_find_a_better_silhouette_than_fasterpam():
    gains = []
    for seed in range(4):
        D = blobs_matrix(seed, n=250, centers=8)
        start = np.random.default_rng(seed).choice(250, 8, replace=False)
        pam = clusterkit.fasterpam(D, start)
        gains.append(clusterkit.fastermsc(D, start).silhouette - msil(D, pam.medoids))
    assert np.mean(gains) > 0


# ---------------------------------------------------------------------------------------
# Bad input and edge cases
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    ({"max_clusters": 1}, "max_clusters"),
    ({"max_clusters": 30}, "max_clusters=30 .*n_samples=20"),
    ({"min_clusters": 1}, "min_clusters"),
    ({"min_clusters": 6, "max_clusters": 5}, "range of k to try is empty"),
])
def test_auto_rejects_a_bad_range_of_k(kwargs, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match=match):
        KMedoids("auto", method="fastermsc", **kwargs).fit(X)


@pytest.mark.parametrize("medoids, kwargs, match", [
    (1, {}, "medoids=1 .*at least 2"),
    (25, {}, "medoids=25 .*n_samples=20"),
    (5, {"min_clusters": 6}, "range of k to try is empty"),
    (5, {"min_clusters": 1}, "min_clusters=1"),
])
def test_dynmsc_rejects_a_bad_range_of_k(medoids, kwargs, match):
    D = integer_matrix(0, 20)
    with pytest.raises(ValueError, match=match):
        clusterkit.dynmsc(D, medoids, **kwargs)


def test_all_identical_points_give_silhouette_zero_and_the_smallest_k():
    X = np.zeros((12, 2))
    with pytest.warns(UserWarning, match="distinct"):
        km = KMedoids("auto", max_clusters=4, method="fastermsc", random_state=0).fit(X)
    assert km.search_results_["medoid_silhouette"].tolist() == [0.0, 0.0, 0.0]
    assert km.n_clusters_ == 2 and km.inertia_ == 0.0


def test_one_cluster_returns_the_minimum_row_sum_with_silhouette_nan():
    D = blobs_matrix(0, n=80)
    for method in MSC:
        res = MSC[method](D, 1)
        assert res.medoids.tolist() == [int(np.argmin(D.sum(axis=1)))]
        assert np.isnan(res.silhouette)
    km = KMedoids(1, method="fastermsc").fit(D[:, :5])
    assert np.isnan(km.medoid_silhouette_)


def test_pamsil_refuses_sample_weights_with_the_reason():
    X, _ = make_blobs(40, centers=2, random_state=0)
    with pytest.raises(ValueError, match="no weighted form"):
        KMedoids(2, method="pamsil").fit(X, sample_weight=np.arange(1, 41))
    KMedoids(2, method="pamsil").fit(X, sample_weight=np.full(40, 3.0))  # constant: fine
    with pytest.raises(TypeError, match="unexpected keyword"):
        clusterkit.pamsil(pairwise_distances(X), 2, sample_weight=np.ones(40))


@pytest.mark.parametrize("name, extra", [
    ("fastermsc", ["sample_weight", "init", "shuffle"]),
    ("fastmsc", ["sample_weight", "init"]),
    ("pammedsil", ["sample_weight", "init"]),
    ("pamsil", ["init"]),
    ("dynmsc", ["sample_weight", "init", "shuffle", "min_clusters"]),
])
def test_functions_show_their_real_keywords(name, extra):
    fn = getattr(clusterkit, name)
    params = list(inspect.signature(fn).parameters)
    common = ["D", "medoids", "max_iter", "random_state", "n_threads", "check_input"]
    assert sorted(params) == sorted(common + extra)
    assert all(kw in fn.__doc__ for kw in params[2:])
    with pytest.raises(TypeError, match="unexpected keyword"):
        fn(integer_matrix(0, 10), 2, fasttol=0.5)
