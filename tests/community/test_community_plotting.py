"""plot_community_dendrogram: one labelled leaf per bottom community."""
import pytest

from clusterkit.community import AgglomerativeCommunities


def test_plot_community_dendrogram_labels_every_community(easy_hsbm):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clusterkit.community import plot_community_dendrogram

    model = AgglomerativeCommunities(random_state=0).fit(easy_hsbm[0])
    fig, ax = plt.subplots()
    plot_community_dendrogram(model, ax=ax)
    names = sorted(t.get_text() for t in ax.get_xticklabels())
    assert names == [f"C{k} (100)" for k in range(4)]
    with pytest.raises(ValueError, match="leaf_names must have 4"):
        plot_community_dendrogram(model, ax=ax, leaf_names=["a"])
    plt.close(fig)
