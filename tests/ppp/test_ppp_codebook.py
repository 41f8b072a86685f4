"""PPP on a codebook: the reduction path gives the partition of the direct path, with no
randomness, and refuses what would not fit."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from clusterkit import PPP

sys.path.insert(0, str(Path(__file__).parent))
from ppp_data import separated_blobs  # noqa: E402


def test_same_labels_for_any_random_state_with_codebook():
    X, y = separated_blobs(n=4000, centers=5, d=4, seed=2)
    ref = PPP(reduce=True, n_codebook=150, random_state=0).fit(X)
    assert ref.reduced_ and ref.n_clusters_ == 5
    for seed in range(1, 20):
        ppp = PPP(reduce=True, n_codebook=150, random_state=seed).fit(X)
        np.testing.assert_array_equal(ppp.labels_, ref.labels_)
        np.testing.assert_array_equal(ppp.codebook_, ref.codebook_)
    assert adjusted_rand_score(y, ref.labels_) == 1.0

def test_codebook_and_direct_paths_agree():
    X, y = separated_blobs(n=3000, centers=6, d=3, seed=3)
    direct = PPP(reduce=False).fit(X)
    reduced = PPP(reduce=True, n_codebook=200, random_state=0).fit(X)
    assert not direct.reduced_ and reduced.reduced_
    assert direct.n_clusters_ == reduced.n_clusters_ == 6
    assert adjusted_rand_score(direct.labels_, reduced.labels_) == 1.0
    np.testing.assert_allclose(np.sort(direct.weights_), np.sort(reduced.weights_))

def test_n_codebook_larger_than_n_uses_the_data():
    X, _ = separated_blobs(n=300, centers=3, d=2, seed=12)
    with pytest.warns(UserWarning, match="n_codebook"):
        ppp = PPP(reduce=True, n_codebook=500).fit(X)
    assert not ppp.reduced_ and ppp.codebook_ is None
    np.testing.assert_array_equal(ppp.labels_, PPP(reduce=False).fit(X).labels_)

def test_codebook_too_large_for_full_scatter_raises_before_work():
    X = np.random.RandomState(0).normal(size=(1500, 400))
    with pytest.raises(MemoryError, match="GiB.*diag"):
        PPP(reduce=True, n_codebook=1000).fit(X)

def test_float32_codebook_path():
    X, y = separated_blobs(n=3000, centers=4, d=3, seed=14)
    ppp = PPP(reduce=True, n_codebook=200).fit(X.astype(np.float32))
    assert ppp.reduced_ and ppp.n_clusters_ == 4
    assert adjusted_rand_score(y, ppp.labels_) == 1.0


def test_the_codebook_is_used_exactly_when_it_is_smaller_than_the_data():
    X, _ = separated_blobs(n=300, centers=3, d=2, seed=12)
    with pytest.warns(UserWarning, match="n_codebook=300 is not smaller than n_samples=300"):
        assert not PPP(reduce=True, n_codebook=300).fit(X).reduced_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ppp = PPP(reduce=True, n_codebook=299).fit(X)
    assert ppp.reduced_ and ppp.codebook_.shape == (299, 2)
    assert not PPP(reduce=False, n_codebook=2).fit(X).reduced_
