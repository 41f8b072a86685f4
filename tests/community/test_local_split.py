"""Improving the bottom communities: the local re-splitting examines every community once."""
import numpy as np

import clusterkit.community._spectral as spectral
from clusterkit._utils._logging import reporter
from clusterkit.community import AgglomerativeCommunities
from clusterkit.community._refine import split_locally
from clusterkit.datasets import make_hsbm


def test_split_locally_examines_each_community_once(monkeypatch):
    """Every node set's Bethe-Hessian is built and its negative eigenvalues are counted
    once: a community that splits is not counted a second time before it is clustered
    (that doubled the eigen-solves of every split), and the split recovers the truth."""
    A, levels = make_hsbm(2, 2, 120, p=[0.01, 0.05, 0.3], random_state=0)
    examined = []
    original = spectral.bethe_hessian

    def counting(B, r=None):
        examined.append((B.shape[0], B.nnz, round(float(B.sum()), 6)))
        return original(B, r)

    monkeypatch.setattr(spectral, "bethe_hessian", counting)
    log = reporter(AgglomerativeCommunities())
    labels = split_locally(A, levels[1], np.random.RandomState(0), n_init=4, log=log)
    assert len(examined) == len(set(examined))
    # the 2 top communities, each split into its 2 bottom ones, which are not split again
    assert len(examined) == 2 + 4
    assert len(np.unique(labels)) == 4
    assert all(len(np.unique(labels[levels[2] == k])) == 1 for k in range(4))
