"""PPPTree: the split tree PPP records, and its scipy linkage."""
import sys
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import is_valid_linkage

from clusterkit import PPP

sys.path.insert(0, str(Path(__file__).parent))
from ppp_data import separated_blobs  # noqa: E402


def test_tree_records_splits_and_converts_to_linkage():
    X, y = separated_blobs(n=1200, centers=5, d=2, seed=7)
    ppp = PPP().fit(X)
    tree = ppp.tree_
    split = tree.left >= 0
    assert split.sum() == ppp.n_clusters_ - 1
    assert np.all(tree.gain[split] > 0)
    assert np.all(tree.agreement[split] >= ppp.agreement)
    children = tree.size[tree.left[split]] + tree.size[tree.right[split]]
    np.testing.assert_array_equal(tree.size[split], children)
    assert tree.size[0] == len(X)
    np.testing.assert_array_equal(np.sort(tree.cluster[tree.leaves]), np.arange(5))
    Z = tree.to_linkage()
    assert Z.shape == (4, 4) and is_valid_linkage(Z)
    assert np.all(np.diff(Z[:, 2]) >= 0)
    assert Z[-1, 3] == 5
    assert len(tree.splits()) == 4
