"""Plot helpers (matplotlib is imported lazily, when a plot is drawn).

* :func:`plot_silhouette_k`: the medoid silhouette at every k a search tried
  (``KMedoids(n_clusters="auto")``, :func:`clusterkit.dynmsc`), the chosen k marked.
* :func:`plot_silhouette`: the classic silhouette plot, one bar per sample, grouped by
  cluster and sorted, with the average.
* :func:`plot_community_dendrogram`: re-exported from :mod:`clusterkit.community`.
"""
import numpy as np

from .community import plot_community_dendrogram

__all__ = ["plot_community_dendrogram", "plot_silhouette", "plot_silhouette_k"]


def _axes(ax, name):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{name} needs matplotlib: pip install 'clusterkit[plot]'") from exc
    return plt.gca()


def _search_of(model):
    """The search dict of a fitted KMedoids, a KMedoidsResult, or the dict itself."""
    for attr in ("search_results_", "search"):
        found = getattr(model, attr, None)
        if found is not None:
            return found
    if isinstance(model, dict) and "n_clusters" in model:
        return model
    raise TypeError("plot_silhouette_k needs KMedoids(n_clusters='auto') after fit, the "
                    "result of clusterkit.dynmsc, or their search dict; got "
                    f"{type(model).__name__}.")


def plot_silhouette_k(model, *, ax=None, mark_best=True, **plot_kw):
    """Draw the average medoid silhouette against the number of clusters tried.

    The chosen k (the highest value) is marked. Look at the whole curve: the silhouette
    tends to favour small k, and a second peak or a plateau is often the structure you
    are after.

    Parameters
    ----------
    model : KMedoids, KMedoidsResult or dict
        A ``KMedoids(n_clusters="auto")`` after fit (``search_results_``), the result of
        :func:`clusterkit.dynmsc` (``search``), or such a dict.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    mark_best : bool, default=True
        Mark the k with the highest medoid silhouette.
    **plot_kw
        Passed to :meth:`matplotlib.axes.Axes.plot` (e.g. ``color``, ``label``).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_blobs
    >>> from clusterkit import KMedoids
    >>> from clusterkit.plotting import plot_silhouette_k
    >>> X, _ = make_blobs(200, centers=[[0, 0], [10, 0], [0, 10], [10, 10]], random_state=0)
    >>> km = KMedoids("auto", max_clusters=8, method="fastermsc", random_state=0).fit(X)
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_silhouette_k(km, ax=ax)
    >>> ax.get_xlabel(), km.n_clusters_
    ('number of clusters k', 4)
    """
    search = _search_of(model)
    ks = np.asarray(search["n_clusters"])
    sils = np.asarray(search["medoid_silhouette"])
    ax = _axes(ax, "plot_silhouette_k")
    plot_kw.setdefault("marker", "o")
    plot_kw.setdefault("label", "medoid silhouette")
    line, = ax.plot(ks, sils, **plot_kw)
    if mark_best:
        best = int(np.argmax(sils))
        ax.axvline(ks[best], color=line.get_color(), ls="--", lw=1, alpha=0.6)
        ax.annotate(f"k = {ks[best]}", (ks[best], sils[best]), xytext=(8, -4),
                    textcoords="offset points", va="top")
    ax.margins(y=0.12)
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("average medoid silhouette")
    ax.set_xticks(ks if len(ks) <= 20 else ks[:: int(np.ceil(len(ks) / 20))])
    return ax


def plot_silhouette(values, labels, *, ax=None, average=True, gap=None, colors=None):
    """Draw a silhouette plot: one horizontal bar per sample, grouped by cluster, sorted.

    Works for the silhouette and the medoid silhouette alike: pass the per-sample values
    of :func:`clusterkit.metrics.silhouette` or :func:`~clusterkit.metrics.medoid_silhouette`
    (``samples=True``). Clusters with many short or negative bars are badly separated.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        Per-sample silhouette values.
    labels : array-like of shape (n_samples,)
        Cluster of every sample (any values; drawn in sorted order, bottom to top).
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    average : bool, default=True
        Draw the mean value as a vertical dashed line.
    gap : int, optional
        Empty rows between clusters (default: 2% of the samples, at least 1).
    colors : sequence of colors, optional
        One per cluster (default: matplotlib's "C0".."C9", repeated).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from clusterkit.metrics import silhouette
    >>> from clusterkit.plotting import plot_silhouette
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> s = silhouette(np.abs(X - X.T), labels, samples=True)
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_silhouette(s, labels, ax=ax)
    >>> len(ax.collections)
    2
    """
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels)
    if values.shape != labels.shape or values.ndim != 1:
        raise ValueError(f"values {values.shape} and labels {labels.shape} must be 1-D "
                         "arrays of the same length.")
    ax = _axes(ax, "plot_silhouette")
    clusters = np.unique(labels)
    gap = max(1, int(0.02 * len(values))) if gap is None else int(gap)
    if colors is None:
        colors = [f"C{i % 10}" for i in range(len(clusters))]
    y = 0
    ticks = []
    for c, color in zip(clusters, colors):
        v = np.sort(values[labels == c])
        rows = np.arange(y, y + len(v))
        ax.fill_betweenx(rows, 0, v, color=color, alpha=0.8, lw=0)
        ticks.append(y + len(v) / 2)
        y += len(v) + gap
    ax.set_yticks(ticks)
    ax.set_yticklabels([str(c) for c in clusters])
    if average:
        ax.axvline(values.mean(), color="k", ls="--", lw=1,
                   label=f"average {values.mean():.3f}")
        ax.legend(loc="lower right")
    ax.axvline(0, color="0.5", lw=0.5)
    ax.set_xlabel("silhouette")
    ax.set_ylabel("cluster")
    ax.set_ylim(-gap, y)
    return ax
