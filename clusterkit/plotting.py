"""Plot helpers (matplotlib is imported lazily, when a plot is drawn).

* :func:`plot_silhouette_k`: the medoid silhouette at every k a search tried
  (``KMedoids(n_clusters="auto")``, :func:`clusterkit.dynmsc`), the chosen k marked.
* :func:`plot_silhouette`: the classic silhouette plot, one bar per sample, grouped by
  cluster and sorted, with the average.
* :func:`plot_medoid_images`: the medoids of image data (one row per image), drawn as
  images: a k-medoids summary you can look at.
* :func:`plot_community_dendrogram`: re-exported from :mod:`clusterkit.community`.
"""
import numpy as np

from .community import plot_community_dendrogram

__all__ = ["plot_community_dendrogram", "plot_medoid_images", "plot_silhouette",
           "plot_silhouette_k"]


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


def plot_medoid_images(X, medoid_indices, image_shape, *, ax=None, n_cols=None,
                       captions=None, cmap="gray_r"):
    """Draw the medoids of image data as a grid of images.

    A medoid is a real row of the data, so on images (one flattened image per row, such as
    :func:`sklearn.datasets.load_digits`) every cluster can be shown by its most central
    image. The images share one grey scale (the range of the medoids' pixels), so that
    their intensities can be compared.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the medoids index, one flattened image per row.
    medoid_indices : array-like of shape (k,)
        Row numbers of the medoids, e.g. ``KMedoids(...).fit(X).medoid_indices_``, in
        cluster order (medoid ``i`` is the medoid of the points labelled ``i``).
    image_shape : tuple of int
        ``(height, width)`` of one image; ``height * width`` must equal ``n_features``
        (``(8, 8)`` for the digits).
    ax : matplotlib Axes, optional
        Where to draw (its area is divided into one small Axes per image, and its own
        frame hidden); the current Axes by default.
    n_cols : int, optional
        Images per row (default: all in one row up to 10, then rows of 10).
    captions : sequence of str, optional
        One caption per medoid, drawn above its image (default: the cluster number,
        ``"0"``, ``"1"``, ...). Pass empty strings for none.
    cmap : str or matplotlib Colormap, default="gray_r"
        Colour map of the images (``"gray_r"``: dark ink on white, as the digits).

    Returns
    -------
    ax : matplotlib Axes
        The Axes given (or the current one); the images are its ``child_axes``, in
        medoid order.

    Raises
    ------
    ValueError
        When ``image_shape`` does not match the number of features, or a medoid index is
        out of range.

    See Also
    --------
    clusterkit.KMedoids : whose ``medoid_indices_`` this draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from clusterkit.plotting import plot_medoid_images
    >>> X = np.arange(24.0).reshape(6, 4)        # six 2 x 2 "images"
    >>> fig, ax = plt.subplots()
    >>> ax = plot_medoid_images(X, [1, 4], (2, 2), ax=ax)
    >>> len(ax.child_axes)
    2
    >>> ax.child_axes[1].get_images()[0].get_array().tolist()
    [[16.0, 17.0], [18.0, 19.0]]
    >>> ax.child_axes[1].get_title()
    '1'
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array with one flattened image per row, got "
                         f"shape {X.shape}.")
    shape = tuple(int(s) for s in np.atleast_1d(image_shape))
    if len(shape) != 2 or shape[0] * shape[1] != X.shape[1]:
        raise ValueError(f"image_shape={tuple(image_shape)} does not match the "
                         f"{X.shape[1]} features of X: pass (height, width) of one image "
                         f"with height * width = {X.shape[1]}.")
    med = np.asarray(medoid_indices)
    if med.ndim != 1 or med.size == 0 or med.dtype.kind not in "iu":
        raise ValueError("medoid_indices must be a non-empty 1-D array of integer row "
                         f"numbers, got {medoid_indices!r}.")
    if med.min() < 0 or med.max() >= X.shape[0]:
        bad = med[(med < 0) | (med >= X.shape[0])][0]
        raise ValueError(f"Medoid index {bad} is out of range for X with {X.shape[0]} rows.")
    k = med.size
    if captions is None:
        captions = [str(i) for i in range(k)]
    captions = list(captions)
    if len(captions) != k:
        raise ValueError(f"captions must have one entry per medoid ({k}), got "
                         f"{len(captions)}.")
    n_cols = min(k, 10) if n_cols is None else int(n_cols)
    if n_cols < 1:
        raise ValueError(f"n_cols must be at least 1, got {n_cols}.")
    n_rows = -(-k // n_cols)
    ax = _axes(ax, "plot_medoid_images")
    ax.set_axis_off()
    images = X[med].astype(float)
    vmin, vmax = float(images.min()), float(images.max())
    width, height = 1.0 / n_cols, 1.0 / n_rows
    for i in range(k):
        row, col = divmod(i, n_cols)
        # a small margin around every image, more above it for the caption
        sub = ax.inset_axes([(col + 0.05) * width, (n_rows - row - 1 + 0.02) * height,
                             0.9 * width, 0.8 * height])
        sub.imshow(images[i].reshape(shape), cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
        sub.set_xticks([])
        sub.set_yticks([])
        if captions[i]:
            sub.set_title(captions[i], fontsize="small", pad=2)
    return ax
