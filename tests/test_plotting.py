"""The plot helpers draw what they say (matplotlib, Agg backend): silhouettes, medoid
images, community dendrograms."""
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import clusterkit
from clusterkit import KMedoids
from clusterkit.metrics import silhouette

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from clusterkit.plotting import (  # noqa: E402
    plot_community_dendrogram,
    plot_medoid_images,
    plot_silhouette,
    plot_silhouette_k,
)

X, _ = make_blobs(150, centers=[[0, 0], [10, 0], [0, 10]], random_state=0)
D = pairwise_distances(X)


def test_silhouette_k_plot_draws_the_search_and_marks_the_chosen_k():
    km = KMedoids("auto", max_clusters=6, method="fastermsc", random_state=0).fit(X)
    fig, ax = plt.subplots()
    plot_silhouette_k(km, ax=ax)
    line = ax.get_lines()[0]
    assert line.get_xdata().tolist() == [2, 3, 4, 5, 6]
    np.testing.assert_allclose(line.get_ydata(), km.search_results_["medoid_silhouette"])
    marker = ax.get_lines()[1]                   # the vertical line at the chosen k
    assert marker.get_xdata()[0] == km.n_clusters_ == 3
    plt.close(fig)


def test_silhouette_k_plot_takes_a_dynmsc_result_or_its_dict():
    res = clusterkit.dynmsc(D, 5, random_state=0)
    for what in (res, res.search):
        fig, ax = plt.subplots()
        plot_silhouette_k(what, ax=ax, mark_best=False, color="k")
        assert len(ax.get_lines()) == 1
        plt.close(fig)
    with pytest.raises(TypeError, match="n_clusters='auto'"):
        plot_silhouette_k(KMedoids(3).fit(X))


def test_silhouette_plot_has_one_band_per_cluster_with_every_sample():
    labels = KMedoids(3, random_state=0).fit(X).labels_
    s = silhouette(D, labels, samples=True)
    fig, ax = plt.subplots()
    plot_silhouette(s, labels, ax=ax, gap=0)
    assert len(ax.collections) == 3
    assert ax.get_ylim() == (0, len(s))
    assert ax.get_lines()[0].get_xdata()[0] == pytest.approx(s.mean())
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        plot_silhouette(s[:-1], labels)


def test_medoid_images_show_each_medoid_row_as_an_image_on_one_grey_scale():
    rng = np.random.RandomState(0)
    images = rng.rand(30, 12)                    # 30 images of 3 x 4 pixels
    medoids = [4, 17, 2, 25, 9]
    fig, ax = plt.subplots()
    out = plot_medoid_images(images, medoids, (3, 4), ax=ax, n_cols=3)
    assert out is ax and not ax.axison
    subs = ax.child_axes
    assert len(subs) == 5
    lo, hi = images[medoids].min(), images[medoids].max()
    for i, (sub, m) in enumerate(zip(subs, medoids)):
        im = sub.get_images()[0]
        np.testing.assert_array_equal(im.get_array(), images[m].reshape(3, 4))
        assert im.get_clim() == (lo, hi)
        assert sub.get_title() == str(i)     # the cluster number KMedoids gives
    # 3 per row: the 4th image starts a second row, below the first
    assert subs[3].get_position().y0 < subs[0].get_position().y0
    assert subs[3].get_position().x0 == pytest.approx(subs[0].get_position().x0)
    plt.close(fig)


def test_medoid_images_take_captions_and_reject_a_shape_that_does_not_fit():
    X = np.arange(40.0).reshape(10, 4)
    fig, ax = plt.subplots()
    plot_medoid_images(X, [0, 5], (2, 2), ax=ax, captions=["zero", "five"])
    assert [sub.get_title() for sub in ax.child_axes] == ["zero", "five"]
    with pytest.raises(ValueError, match=r"height \* width = 4"):
        plot_medoid_images(X, [0, 5], (3, 2), ax=ax)
    with pytest.raises(ValueError, match="index 10 is out of range"):
        plot_medoid_images(X, [0, 10], (2, 2), ax=ax)
    with pytest.raises(ValueError, match="one entry per medoid"):
        plot_medoid_images(X, [0, 5], (2, 2), ax=ax, captions=["a"])
    plt.close(fig)


def _drawn_merge_heights(ax):
    """Heights of the horizontal bars scipy's dendrogram drew (one per merge)."""
    heights = [seg[1, 1] for coll in ax.collections for seg in coll.get_segments()]
    return np.sort(heights)


# a linkage over 4 communities as the estimators give it: heights 1 - density, two
# sibling merges, the root a little higher, as on a dense HSBM
HSBM_LINKAGE = np.array([[0, 1, 0.790, 2], [2, 3, 0.794, 2], [4, 5, 0.811, 4]])


def test_dendrogram_linear_scale_zooms_on_the_merges_so_levels_can_be_told_apart():
    fig, ax = plt.subplots()
    plot_community_dendrogram(HSBM_LINKAGE, ax=ax)
    np.testing.assert_allclose(_drawn_merge_heights(ax), [0.790, 0.794, 0.811])
    low, high = ax.get_ylim()
    assert 0.7 < low < 0.790 and high > 0.811
    # the gap between the sibling merges and the root spans most of the axis
    assert (0.811 - 0.794) / (high - low) > 0.5
    assert ax.get_ylabel() == "1 - edge density"
    plt.close(fig)


def test_dendrogram_log_and_rank_scales_draw_the_transformed_heights():
    fig, ax = plt.subplots()
    plot_community_dendrogram(HSBM_LINKAGE, ax=ax, scale="log")
    np.testing.assert_allclose(_drawn_merge_heights(ax),
                               -np.log10(1 - np.array([0.790, 0.794, 0.811])))
    plt.close(fig)
    fig, ax = plt.subplots()
    Z = HSBM_LINKAGE.copy()
    Z[1, 2] = Z[0, 2]                           # equal heights share a rank
    plot_community_dendrogram(Z, ax=ax, scale="rank")
    np.testing.assert_allclose(_drawn_merge_heights(ax), [1, 1, 2])
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel() == "merge rank"
    plt.close(fig)
    with pytest.raises(ValueError, match="scale must be one of"):
        plot_community_dendrogram(Z, ax=ax, scale="sqrt")


def test_dendrogram_log_scale_puts_merges_without_edges_one_decade_above():
    Z = np.array([[0, 1, 0.99, 2], [2, 3, 0.999, 2], [4, 5, 1.0, 4]])  # root: no edge
    fig, ax = plt.subplots()
    plot_community_dendrogram(Z, ax=ax, scale="log")
    np.testing.assert_allclose(_drawn_merge_heights(ax), [2, 3, 4])
    plt.close(fig)
