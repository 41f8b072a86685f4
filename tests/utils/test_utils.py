"""The shared helpers of clusterkit._utils: the memory guard, the chunk rule, the reporter
and the linkage helpers, each checked against what a user of the estimators relies on."""
import numpy as np
import pytest
import sklearn
from scipy.cluster.hierarchy import fcluster, is_monotonic, is_valid_linkage

from clusterkit._utils._chunking import chunk_n_rows, row_chunks
from clusterkit._utils._hierarchy import (
    count_inversions,
    cut_linkage,
    relabel_by_first_appearance,
    split_tree_linkage,
)
from clusterkit._utils._logging import Reporter
from clusterkit._utils._memory import check_fits, check_square_matrix_fits


def test_memory_guard_names_the_size_and_the_way_out():
    with pytest.raises(MemoryError, match=r"200000 x 200000.*298\.0 GiB.*float32.*CLARA"):
        check_square_matrix_fits(200_000, np.float64, available=2**30)
    assert check_square_matrix_fits(1000, np.float32, available=2**30) == 4_000_000


def test_memory_guard_refuses_above_a_cap_whatever_the_free_memory():
    with pytest.raises(MemoryError, match=r"The thing needs 2\.0 GiB, more than the 1\.0 "
                                          r"GiB clusterkit allows for it; do less"):
        check_fits(2 * 2**30, "The thing", "do less", limit=2**30, available=2**40)
    assert check_fits(10, "x", "y", limit=2**30, available=2**40) == 10


def test_chunks_follow_scikit_learns_working_memory_and_cover_every_row():
    with sklearn.config_context(working_memory=1):
        assert chunk_n_rows(8 * 1024) == 128
        chunks = list(row_chunks(1000, 8 * 1024))
    assert chunks[0] == (0, 128) and chunks[-1][1] == 1000
    assert all(a == b for (_, a), (b, _) in zip(chunks[:-1], chunks[1:]))
    assert chunk_n_rows(10 * 2**40) == 1  # a row larger than the budget still runs
    assert list(row_chunks(0, 8)) == []


def test_reporter_prints_only_up_to_its_verbosity(capsys):
    log = Reporter("Est", verbose=1)
    log("one")
    log("two", level=2)
    with log.timer("timed"):
        pass
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[Est] one"
    assert out[1].startswith("[Est] timed (") and out[1].endswith(" s)")
    assert len(out) == 2
    Reporter("Est", verbose=0)("nothing")
    assert capsys.readouterr().out == ""


def test_relabel_by_first_appearance_and_its_mapping():
    out, new_of = relabel_by_first_appearance(np.array([7, 3, 7, -1, 5, 3]),
                                              return_mapping=True)
    assert out.tolist() == [0, 1, 0, -1, 2, 1]
    assert new_of[7] == 0 and new_of[3] == 1 and new_of[5] == 2 and new_of[4] == -1


def _random_split_tree(rng, n_leaves):
    """A random binary tree: node 0 the root, children appended as nodes split."""
    left, right, height = [-1], [-1], [0.0]
    leaves = [0]
    while len(leaves) < n_leaves:
        node = leaves.pop(rng.randint(len(leaves)))
        for side in (left, right):
            side[node] = len(left)
            left.append(-1)
            right.append(-1)
            height.append(0.0)
            leaves.append(len(left) - 1)
        height[node] = float(rng.randint(5))  # ties and inversions on purpose
    left, right = np.array(left), np.array(right)
    leaf_id = np.full(len(left), -1)
    leaf_id[left < 0] = rng.permutation(n_leaves)
    return left, right, np.array(height), leaf_id


@pytest.mark.parametrize("seed", range(10))
def test_split_tree_linkage_is_a_valid_monotone_scipy_linkage_of_the_same_tree(seed):
    rng = np.random.RandomState(seed)
    left, right, height, leaf_id = _random_split_tree(rng, 12)
    Z, node = split_tree_linkage(left, right, height, leaf_id)
    assert is_valid_linkage(Z) and is_monotonic(Z)
    assert count_inversions(Z) == 0
    # every row merges exactly the leaves below its tree node
    below = {}
    for row, nd in enumerate(node):
        stack, ids = [nd], []
        while stack:
            x = stack.pop()
            if left[x] < 0:
                ids.append(int(leaf_id[x]))
            else:
                stack.extend([left[x], right[x]])
        below[row] = sorted(ids)
        assert Z[row, 2] >= height[nd]
        assert Z[row, 3] == len(ids)
    # cutting k clusters gives the k subtrees of the last merges
    for k in range(1, 13):
        labels = cut_linkage(Z, k)
        assert len(np.unique(labels)) == k
        if len(np.unique(Z[:, 2])) == len(Z):  # no ties: same as scipy's cut
            scipy_labels = fcluster(Z, k, criterion="maxclust")
            assert (relabel_by_first_appearance(scipy_labels) == labels).all()


def test_a_malformed_matrix_with_nan_names_the_nan_first():
    from clusterkit._utils._validation import check_dissimilarity

    bad = np.ones((4, 3))
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_dissimilarity(bad)
    with pytest.raises(ValueError, match="square"):
        check_dissimilarity(np.ones((4, 3)))
