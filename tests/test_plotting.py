"""The silhouette plot helpers draw what they say (matplotlib, Agg backend)."""
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

from clusterkit.plotting import plot_silhouette, plot_silhouette_k  # noqa: E402

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
