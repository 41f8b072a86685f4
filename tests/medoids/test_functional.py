"""The functional k-medoids API: each function shows and checks its real keywords."""
import inspect

import numpy as np
import pytest
from sklearn.metrics import pairwise_distances

import clusterkit

X = np.random.default_rng(0).normal(size=(60, 2))
D = pairwise_distances(X)

COMMON = ["D", "medoids", "sample_weight", "max_iter", "init", "random_state", "n_threads",
          "check_input"]


@pytest.mark.parametrize("name, extra", [("pam", []), ("fastpam1", []),
                                         ("fastpam2", ["fasttol"]), ("alternating", []),
                                         ("fasterpam", ["shuffle"])])
def test_signature_lists_the_real_keywords(name, extra):
    params = list(inspect.signature(getattr(clusterkit, name)).parameters)
    assert not any(p.startswith("*") or p == "kwargs" for p in params)
    assert sorted(params) == sorted(COMMON + extra)
    assert all(kw in getattr(clusterkit, name).__doc__ for kw in COMMON[2:] + extra)


@pytest.mark.parametrize("call", [
    lambda: clusterkit.pam(D, 2, fasttol=0.3),
    lambda: clusterkit.pam(D, 2, order=None),
    lambda: clusterkit.fastpam1(D, 2, shuffle=True),
    lambda: clusterkit.fasterpam(D, 2, fasttol=0.5),
    lambda: clusterkit.build(D, 2, init="random"),
])
def test_unknown_keywords_raise_type_error(call):
    with pytest.raises(TypeError, match="unexpected keyword"):
        call()


def test_fasttol_reaches_fastpam2():
    """fasttol=0 redoes only undiminished swaps: from some start it swaps differently from
    fasttol=1 (were the keyword dropped, every run would be the same)."""
    runs = []
    for seed in range(10):
        start = np.random.default_rng(seed).choice(len(D), 8, replace=False)
        loose = clusterkit.fastpam2(D, start, fasttol=1.0)
        strict = clusterkit.fastpam2(D, start, fasttol=0.0)
        for res in (loose, strict):
            assert res.loss == pytest.approx(D[:, res.medoids].min(axis=1).sum())
        runs.append((loose.n_swaps, loose.n_iter) != (strict.n_swaps, strict.n_iter))
    assert any(runs)


@pytest.mark.parametrize("name", ["pam", "fastpam1", "fastpam2"])
def test_default_start_is_build(name):
    fn = getattr(clusterkit, name)
    assert fn(D, 3).medoids.tolist() == fn(D, clusterkit.build(D, 3).medoids).medoids.tolist()
