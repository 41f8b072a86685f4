"""Plot helpers (matplotlib is imported lazily, when a plot is drawn)."""
from .community import plot_community_dendrogram

__all__ = ["plot_community_dendrogram"]
