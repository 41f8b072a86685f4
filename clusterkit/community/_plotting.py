"""Dendrogram of a community tree (matplotlib imported lazily)."""
import numpy as np

__all__ = ["plot_community_dendrogram"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_community_dendrogram needs matplotlib: "
                          "pip install 'clusterkit[plot]'") from exc
    return plt


_SCALES = ("linear", "log", "rank")


def _scaled_heights(h, scale):
    """Merge heights transformed for drawing (monotone, so the tree keeps its shape)."""
    if scale == "linear":
        return h.copy()
    if scale == "log":
        density = 1.0 - h
        positive = density[density > 0]
        # merges without any edge (between connected components) have density 0: draw
        # them one decade above the sparsest merge that has edges
        floor = positive.min() / 10.0 if positive.size else 0.1
        return -np.log10(np.clip(density, floor, None))
    return np.unique(h, return_inverse=True)[1].astype(np.float64) + 1.0


def plot_community_dendrogram(model, *, ax=None, scale="linear", leaf_names=None,
                              show_sizes=True, color_threshold=None, **dendrogram_kw):
    """Draw the tree of a fitted community estimator.

    The merge heights of both estimators are ``1 - density / w_max`` (``density`` the
    edge weight between the two merged sides over their number of node pairs, ``w_max``
    the largest edge weight). They often differ little from level to level, so the
    y axis shows only the range of the merges (the leaf stems are cut at its bottom);
    ``scale`` chooses how heights are drawn.

    Parameters
    ----------
    model : AgglomerativeCommunities, DivisiveCommunities or ndarray of shape (K - 1, 4)
        A fitted estimator, or a linkage matrix over ``K`` communities.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    scale : {"linear", "log", "rank"}, default="linear"
        ``"linear"``: the heights as they are, ``1 - density / w_max`` (suits graphs
        whose densities are a fair fraction of 1, as in the ``a log(N) / N`` regime of
        :func:`clusterkit.datasets.make_hsbm`). ``"log"``: ``-log10(density / w_max)``,
        one unit per factor 10 of density (suits sparse graphs, whose linear heights are
        all close to 1); merges without edges, between connected components, are drawn
        one unit above the sparsest other merge. ``"rank"``: the merges numbered 1, 2,
        ... in order of height (equal heights share a number): the topology only, every
        merge visible, the axis starting at 0.
    leaf_names : sequence of str, optional
        One name per bottom community (defaults to ``"C<k>"``).
    show_sizes : bool, default=True
        Append the number of nodes of each bottom community to its name (only for a
        fitted estimator).
    color_threshold : float, optional
        Passed to :func:`scipy.cluster.hierarchy.dendrogram`; by default everything
        is drawn in one colour.
    **dendrogram_kw
        Other arguments of :func:`scipy.cluster.hierarchy.dendrogram`.

    Returns
    -------
    ax : matplotlib Axes
        Call ``ax.set_ylim(bottom=0)`` on it to see the leaf stems in full.

    Raises
    ------
    ValueError
        For an unknown ``scale`` or ``leaf_names`` of the wrong length.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from clusterkit.datasets import make_hsbm
    >>> from clusterkit.community import (AgglomerativeCommunities,
    ...                                   plot_community_dendrogram)
    >>> A, levels = make_hsbm(2, 2, 50, p=[0.02, 0.1, 0.5], random_state=0)
    >>> model = AgglomerativeCommunities(random_state=0).fit(A)
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_community_dendrogram(model, ax=ax)
    >>> ax.get_ylabel()
    '1 - edge density'
    >>> fig, ax = plt.subplots()
    >>> ax = plot_community_dendrogram(model, ax=ax, scale="rank")
    >>> ax.get_ylabel(), [round(float(y), 2) for y in ax.get_ylim()]
    ('merge rank', [0.0, 3.15])
    """
    from scipy.cluster.hierarchy import dendrogram

    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {_SCALES}, got {scale!r}.")
    plt = _pyplot()
    if ax is None:
        ax = plt.gca()
    if hasattr(model, "linkage_"):
        Z = np.asarray(model.linkage_)
        labels = np.asarray(model.labels_)
        sizes = np.bincount(labels[labels >= 0], minlength=Z.shape[0] + 1)
    else:
        Z = np.asarray(model, dtype=np.float64)
        sizes = None
    K = Z.shape[0] + 1
    names = [f"C{k}" for k in range(K)] if leaf_names is None else list(leaf_names)
    if len(names) != K:
        raise ValueError(f"leaf_names must have {K} entries, got {len(names)}")
    if show_sizes and sizes is not None:
        names = [f"{name} ({size})" for name, size in zip(names, sizes)]
    if K == 1:
        ax.text(0.5, 0.5, f"one community: {names[0]}", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
    else:
        Z = Z.copy()
        Z[:, 2] = _scaled_heights(Z[:, 2], scale)
        dendrogram(Z, ax=ax, labels=names,
                   color_threshold=-1 if color_threshold is None else color_threshold,
                   above_threshold_color=dendrogram_kw.pop("above_threshold_color", "C0"),
                   **dendrogram_kw)
        low, high = float(Z[:, 2].min()), float(Z[:, 2].max())
        if scale == "rank":
            ax.set_ylim(0.0, high * 1.05)
        else:
            span = high - low if high > low else max(abs(high), 1.0) * 0.05
            ax.set_ylim(low - 0.15 * span, high + 0.05 * span)
    ax.set_ylabel({"linear": "1 - edge density", "log": "-log10(edge density)",
                   "rank": "merge rank"}[scale])
    return ax
