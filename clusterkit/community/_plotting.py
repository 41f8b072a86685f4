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


def plot_community_dendrogram(model, *, ax=None, leaf_names=None, show_sizes=True,
                              color_threshold=None, **dendrogram_kw):
    """Draw the tree of a fitted community estimator.

    Parameters
    ----------
    model : AgglomerativeCommunities, DivisiveCommunities or ndarray of shape (K - 1, 4)
        A fitted estimator, or a linkage matrix over ``K`` communities.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
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

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from clusterkit.datasets import make_hsbm
    >>> from clusterkit.community import (AgglomerativeCommunities,
    ...                                   plot_community_dendrogram)
    >>> A, levels = make_hsbm(2, 2, 50, p=[0.02, 0.1, 0.5], random_state=0)
    >>> model = AgglomerativeCommunities(random_state=0).fit(A)
    >>> ax = plot_community_dendrogram(model)
    >>> ax.get_ylabel()
    '1 - edge density'
    """
    from scipy.cluster.hierarchy import dendrogram

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
        dendrogram(Z, ax=ax, labels=names,
                   color_threshold=-1 if color_threshold is None else color_threshold,
                   above_threshold_color=dendrogram_kw.pop("above_threshold_color", "C0"),
                   **dendrogram_kw)
    ax.set_ylabel("1 - edge density")
    return ax
