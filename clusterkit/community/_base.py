"""What the community-tree estimators share: their common parameters and input tags,
the tree cut, and the fitted attributes every community tree has."""
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._utils._hierarchy import cut_linkage, relabel_by_first_appearance
from .._utils._logging import reporter
from ._graph import validate_graph

__all__ = ["BaseCommunityTree"]


class BaseCommunityTree(ClusterMixin, BaseEstimator):
    """Base of :class:`AgglomerativeCommunities` and :class:`DivisiveCommunities`.

    :meth:`fit` validates the graph, makes the one random state and the reporter, and
    hands them to the subclass's ``_fit(graph, rng, log)``, which finds the bottom
    communities and a tree over them and stores them with :meth:`_set_tree`; :meth:`cut`
    then gives the node labels at any level. Both take a graph (a square, symmetric,
    non-negative adjacency) and tag themselves so.

    Attributes set by :meth:`_set_tree`: ``labels_``, ``n_communities_``, ``linkage_`` and
    ``nodes_`` (see the subclasses).
    """

    _parameter_constraints = {
        "n_communities": [Interval(Integral, 1, None, closed="left"), None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "weight": [str, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = True
        tags.input_tags.sparse = True
        tags.input_tags.two_d_array = True
        tags.input_tags.positive_only = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the bottom communities and build the community tree over them.

        Parameters
        ----------
        X : networkx.Graph, sparse matrix or array-like of shape (n_nodes, n_nodes)
            Undirected graph or its symmetric, non-negative adjacency (weighted or not).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        log = reporter(self)
        graph = validate_graph(self, X, self.weight)
        graph.check_n_communities(self.n_communities)
        rng = check_random_state(self.random_state)
        log.done(f"graph: {graph.n_nodes} nodes, {graph.adjacency.nnz // 2} edges, "
                 f"{len(graph.components)} component(s)")
        self._fit(graph, rng, log)
        return self

    def _set_tree(self, labels, linkage, graph):
        """Store the bottom communities (``labels``, -1 for isolated nodes) and the tree."""
        self.labels_ = labels
        self.n_communities_ = linkage.shape[0] + 1
        self.linkage_ = linkage
        self.nodes_ = graph.nodes

    def cut(self, n_clusters):
        """Node labels at the level of the tree with ``n_clusters`` communities.

        Parameters
        ----------
        n_clusters : int
            Between 1 and ``n_communities_``.

        Returns
        -------
        labels : ndarray of shape (n_nodes,)
            Community of every node at that level, numbered by their first node;
            isolated nodes are labelled -1.
        """
        check_is_fitted(self, "linkage_")
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
            raise TypeError(f"n_clusters must be an integer, got {type(n_clusters).__name__}")
        if not 1 <= n_clusters <= self.n_communities_:
            raise ValueError(f"n_clusters must be between 1 and n_communities_="
                             f"{self.n_communities_}, got {n_clusters}")
        leaf = cut_linkage(self.linkage_, int(n_clusters))
        out = np.full(self.labels_.shape, -1, dtype=np.intp)
        keep = self.labels_ >= 0
        out[keep] = leaf[self.labels_[keep]]
        return relabel_by_first_appearance(out)
