"""DivisiveCommunities: the split tree, and the inversions it reports."""
import numpy as np
from scipy.cluster.hierarchy import is_monotonic

from clusterkit.community import DivisiveCommunities
from clusterkit.datasets import make_hsbm


def test_divisive_reports_inversions_of_its_split_densities():
    """n_inversions_ counts (split, child split) pairs where the child is sparser."""
    A, _ = make_hsbm(3, 2, 50, p=[0.02, 0.05, 0.06, 0.3], random_state=2)
    model = DivisiveCommunities(n_communities=8, random_state=0).fit(A)
    Z, dens = model.linkage_, model.split_densities_
    K = model.n_communities_
    expected = sum(1 for t in range(K - 1) for c in Z[t, :2].astype(int)
                   if c >= K and dens[c - K] < dens[t])
    assert model.n_inversions_ == expected
    assert is_monotonic(Z)
    # the stored heights are the raw ones raised to their children's: never below raw
    assert np.all(Z[:, 2] >= 1 - dens - 1e-12)
