"""PPPTree: the split tree PPP records, and its scipy linkage."""
import sys
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import is_valid_linkage

from clusterkit import PPP, PPPTree
from clusterkit._ppp._split import MIN_SHARE

sys.path.insert(0, str(Path(__file__).parent))
from ppp_data import separated_blobs  # noqa: E402


def test_tree_records_splits_and_converts_to_linkage():
    X, y = separated_blobs(n=1200, centers=5, d=2, seed=7)
    ppp = PPP().fit(X)
    tree = ppp.tree_
    split = tree.left >= 0
    assert split.sum() == ppp.n_clusters_ - 1
    assert np.all(tree.gain[split] > 0)
    assert set(tree.status[split]) == {"split"}
    assert np.all(tree.smaller_child[split] >= ppp.min_cluster_size_)
    # children share their parent's points; only slivers below MIN_SHARE are dropped
    children = tree.size[tree.left[split]] + tree.size[tree.right[split]]
    assert np.all(children <= tree.size[split] * (1 + 1e-12))
    np.testing.assert_allclose(children, tree.size[split], rtol=MIN_SHARE)
    assert tree.size[0] == len(X)
    np.testing.assert_array_equal(np.sort(tree.cluster[tree.leaves]), np.arange(5))
    Z = tree.to_linkage()
    assert Z.shape == (4, 4) and is_valid_linkage(Z)
    assert np.all(np.diff(Z[:, 2]) >= 0)
    assert Z[-1, 3] == 5
    assert len(tree.splits()) == 4


def test_linkage_heights_are_monotone_and_observations_are_cluster_labels():
    # root 0 -> leaf 1 and node 2; node 2 -> leaves 3 and 4. The lower split has the
    # larger gain, so the root's merge is raised to it; leaves are numbered by cluster.
    tree = PPPTree(parent=np.array([-1, 0, 0, 2, 2]), left=np.array([1, -1, 3, -1, -1]),
                   right=np.array([2, -1, 4, -1, -1]), size=np.array([9.0, 3, 6, 4, 2]),
                   depth=np.array([0, 1, 1, 2, 2]),
                   gain=np.array([5.0, np.nan, 7.0, np.nan, np.nan]),
                   agreement=np.array([0.9, np.nan, 0.8, np.nan, np.nan]),
                   status=np.array(["split", "no gain", "split", "no gain",
                                    "no gain"], dtype=object),
                   cluster=np.array([-1, 1, -1, 0, 2]))
    np.testing.assert_array_equal(tree.leaves, [3, 1, 4])
    Z = tree.to_linkage()
    np.testing.assert_array_equal(Z, [[0, 2, 7.0, 2], [1, 3, 7.0, 3]])
    assert is_valid_linkage(Z)
    assert [s["node"] for s in tree.splits()] == [0, 2]


def test_a_tree_without_split_has_an_empty_linkage():
    X = np.ones((50, 3))
    Z = PPP().fit(X).tree_.to_linkage()
    assert Z.shape == (0, 4)
