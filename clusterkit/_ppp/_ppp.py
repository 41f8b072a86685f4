"""PPP: probabilistic partitive partitioning.

k-means splits a node in two (deterministically), Gaussian mixtures fitted on the node
validate the split, accepted splits recurse; the leaves initialise a final mixture. Large
inputs are first summarised by a weighted codebook (deterministic tree-structured vector
quantisation) that keeps each cell's count, mean and within-cell scatter (see ``_gmm``), so
every fit below runs on the codebook.
"""
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils._blas import single_blas_thread
from .._utils._chunking import row_chunks
from .._utils._logging import reporter
from .._utils._memory import check_fits
from .._utils._warnings import warn_user
from ._codebook import build_codebook
from ._final import grow, prune, refine
from ._gmm import (
    fit_weighted_mixture,
    log_sum_exp_rows,
    weighted_log_prob,
)
from ._split import EM_MAX_ITER, EM_TOL, SplitRule, grow_tree

# Inputs with more samples than this are reduced to a codebook when ``reduce="auto"``.
AUTO_REDUCE_THRESHOLD = 20_000
# Full scatter matrices above this many bytes are refused (d too large for a codebook).
MAX_SCATTER_BYTES = 1 << 30


class PPP(ClusterMixin, BaseEstimator):
    """Probabilistic partitive partitioning: k-means splits validated by Gaussian mixtures.

    PPP finds the number of clusters itself and gives the same partition whatever the
    random seed. Starting from one node holding all the data, it splits a node in two with
    2-means initialised deterministically (sign of the projection on the node's principal
    axis), fits a 1- and a 2-component Gaussian mixture on the node (the latter initialised
    from the 2-means split), and accepts the split only when the 2-component mixture is
    better by the information criterion (and, only when ``agreement`` is set, its hard
    assignment agrees with the 2-means split). The children of an accepted split are the
    mixture's two components, each row shared between them by its responsibilities (a
    child cut with hard labels would be a truncated Gaussian that its own split improves
    again, fragment after fragment); they are split in turn;
    the leaves initialise a final mixture that gives ``labels_``, ``predict``,
    ``predict_proba`` and ``score``. A divisive tree can leave a fragment of a cluster that
    an early split cut off as a leaf of its own, so a component of the final mixture is
    removed (and the mixture refitted) as long as that improves the criterion of the whole
    model.

    clusterkit's PPP is a reading of the abstract of Sultan (2020) and of the author's
    earlier tree-structured vector quantisation (BTSVQ), not a transcription of the paper.

    Parameters
    ----------
    max_clusters : int, default=None
        Stop when this many clusters are found; splits are then accepted in decreasing
        order of criterion gain. ``None`` means no cap.
    min_cluster_size : "auto", int or float, default="auto"
        A split is refused when a child would hold fewer points. An int counts points, a
        float in (0, 1) is a fraction of ``n_samples``. ``"auto"`` is ``max(10,
        n_features + 1)`` for ``full`` covariances (a child must be able to estimate its
        own covariance) and 10 otherwise.
    criterion : {"bic", "aic"}, default="bic"
        Information criterion comparing the 1- and 2-component mixtures of a node. The
        BIC penalty uses the total number of points, so a node's gain is the change of
        the whole model's criterion when the node's component is replaced by two.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Covariance structure of every mixture fitted.
    agreement : float in [0.5, 1] or None, default=None
        Optional extra check: when a float, a split is also refused (status
        ``"disagreement"``) when the 2-component mixture's hard assignment equals the
        2-means split on less than this weighted fraction of the node, and the final
        mixture adds no component. ``None`` (the default; 0.7 before) lets the mixture
        decide: in many dimensions full-covariance mixtures separate by shape, so
        disagreement is expected even for real splits.
    max_criterion_samples : int or None, default=20000
        The criterion counts at most this many points: above it, log-likelihoods are
        multiplied by ``max_criterion_samples / n_samples`` and the BIC penalty uses
        ``log(max_criterion_samples)``, so every split is judged as on a sample of that
        size and the number of clusters does not grow with n (a gain grows like n, the
        BIC penalty like log n). ``None`` counts every point (plain BIC).
    reduce : "auto" or bool, default="auto"
        Summarise the data by a codebook of ``n_codebook`` cells (count, mean and
        within-cell scatter) and run everything on it. ``"auto"`` reduces when
        ``n_samples > 20000``. The cells come from tree-structured vector quantisation:
        the cell with the largest sum of squares is split at its mean across its
        principal axis until there are ``n_codebook`` cells.
    n_codebook : int, default=1000
        Number of codebook cells. When it is not smaller than ``n_samples``, the data are
        used directly (with a warning if ``reduce=True``).
    random_state : int, RandomState instance or None, default=None
        Not used: PPP draws no random number, not even for the codebook, which is built
        by deterministic tree-structured vector quantisation. Accepted so that PPP fits
        wherever an estimator is given a seed; every value gives the same result.
    verbose : int, default=0
        Print one line per examined node and the timing of each phase.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training point (the final mixture's most probable component).
    n_clusters_ : int
        Number of clusters found.
    means_ : ndarray of shape (n_clusters, n_features)
    covariances_ : ndarray
        Shape depends on ``covariance_type`` as in
        :class:`~sklearn.mixture.GaussianMixture`.
    precisions_cholesky_ : ndarray
    weights_ : ndarray of shape (n_clusters,)
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Same as ``means_``.
    tree_ : PPPTree
        Every examined node with its criterion gain and agreement;
        ``tree_.to_linkage()`` gives a scipy linkage matrix for a dendrogram.
    n_iter_ : int
        Number of EM iterations (E-step and M-step after the initial M-step) of the last
        fit of the final mixture, the one whose parameters are kept (after any pruning);
        0 when a single cluster is found, whose mixture needs no iteration.
    converged_ : bool
        Whether that last EM run stopped because the average log-likelihood changed by
        less than 1e-3, rather than after its 100 iterations; always True for a single
        cluster.
    reduced_ : bool
        Whether the codebook reduction was used.
    codebook_ : ndarray of shape (n_cells, n_features) or None
        Codebook cell means when ``reduced_``.
    codebook_weights_ : ndarray of shape (n_cells,) or None
        Number of training points in each codebook cell.
    min_cluster_size_ : float
        The resolved minimum cluster size, in points.
    reg_covar_ : float
        Regularisation added to covariance diagonals: 1e-6 times the median of the
        positive feature variances of the training data (1e-6 when every feature is
        constant), so it follows the scale of the data without being set by a single
        large-scale or near-constant feature.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string feature names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : Mixture with a given number of components.
    sklearn.mixture.BayesianGaussianMixture : Variational mixture that prunes components.

    Notes
    -----
    Model parameters are float64; float32 input is not copied to float64 as a whole (the
    codebook works on a permuted copy in the input dtype, the labels are computed in
    chunks). Chunks are sized by scikit-learn's ``working_memory``
    (:func:`sklearn.config_context`), which bounds the memory, not the result.

    Under reduction, the mixtures are fitted on the codebook with responsibilities shared
    within a cell; the 1-component fits are then exact and the 2-component likelihoods are
    lower bounds, so splits are judged conservatively. Labels of all points come from the
    final mixture, evaluated on every point.

    Without a cap, the tree does not depend on the order in which nodes are examined.

    Cost: each node costs a few passes over its points (principal axis, Lloyd, EM with two
    components); the pruning of the final mixture costs up to ``n_clusters`` short EM runs
    per removed component. With the codebook, everything after the codebook runs on
    ``n_codebook`` rows, and the codebook and the final labels cost one pass over the data
    each, so the time grows linearly in ``n_samples``.

    References
    ----------
    M. Sultan, "Probabilistic Partitive Partitioning (PPP)", arXiv:2003.04372 (2020).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import PPP
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [0.3, 0.2],
    ...               [8.0, 8.1], [8.2, 8.0], [8.1, 8.3], [8.3, 8.2]])
    >>> ppp = PPP(min_cluster_size=2, covariance_type="spherical").fit(X)
    >>> ppp.n_clusters_
    2
    >>> ppp.labels_
    array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> ppp.predict([[0.0, 0.0], [8.0, 8.0]])
    array([0, 1])
    """

    _parameter_constraints = {
        "max_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "min_cluster_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "criterion": [StrOptions({"bic", "aic"})],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "agreement": [Interval(Real, 0.5, 1, closed="both"), None],
        "max_criterion_samples": [Interval(Integral, 2, None, closed="left"), None],
        "reduce": [StrOptions({"auto"}), "boolean"],
        "n_codebook": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, max_clusters=None, min_cluster_size="auto", criterion="bic",
                 covariance_type="full", agreement=None, max_criterion_samples=20_000,
                 reduce="auto", n_codebook=1000, random_state=None, verbose=0):
        self.max_clusters = max_clusters
        self.min_cluster_size = min_cluster_size
        self.criterion = criterion
        self.covariance_type = covariance_type
        self.agreement = agreement
        self.max_criterion_samples = max_criterion_samples
        self.reduce = reduce
        self.n_codebook = n_codebook
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the clusters of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; sparse input is refused (densify it first).
        y : Ignored

        Returns
        -------
        self : PPP
            The fitted estimator.
        """
        log = reporter(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        self._fit_dtype = X.dtype
        n, d = X.shape
        self._check_data_params(n, d)

        use_codebook = self._uses_codebook(n, warn=True)
        with single_blas_thread():
            if use_codebook:
                t0 = time.perf_counter()
                points, weights, scatter = self._codebook(X)
                log(f"codebook of {points.shape[0]} cells", since=t0)
            else:
                points, weights, scatter = X, np.ones(n), None
            return self._fit_summary(X, points, weights, scatter, use_codebook, log)

    def _fit_summary(self, X, points, weights, scatter, use_codebook, log):
        """Everything after the (optional) reduction: tree, final mixture, labels of X.

        ``log`` is the fit's reporter; its clock started with the fit.
        """
        variances = self._feature_variances(points, weights, scatter)
        positive = variances[variances > 0]
        self.reg_covar_ = 1e-6 * np.median(positive) if positive.size else 1e-6
        self._n_total = weights.sum()
        n_max = self.max_criterion_samples
        rule = SplitRule(min_cluster_size=self.min_cluster_size_,
                         agreement=self.agreement, criterion=self.criterion,
                         covariance_type=self.covariance_type,
                         reg_covar=self.reg_covar_, n_total=self._n_total,
                         n_criterion=(self._n_total if n_max is None
                                      else min(self._n_total, float(n_max))))
        self._rule = rule
        members, tree = grow_tree(points, weights, scatter, rule,
                                  max_clusters=self.max_clusters, log=log)
        self._final_mixture(X, points, weights, scatter, members, tree, log)
        self.reduced_ = use_codebook
        self.codebook_ = np.asarray(points) if use_codebook else None
        self.codebook_weights_ = weights if use_codebook else None
        log.done(f"{self.n_clusters_} clusters")
        return self

    def _uses_codebook(self, n, *, fallback=True, warn=False):
        """Whether a fit on ``n`` samples runs on a codebook: the one rule for it.

        ``reduce=True``, or ``"auto"`` with more than ``AUTO_REDUCE_THRESHOLD`` samples,
        asks for a codebook. With ``fallback``, one of ``n_codebook >= n`` cells is not
        built and the data are used directly (with a UserWarning when ``warn`` and
        ``reduce=True``, since the user asked for the reduction); without it, the answer
        is whether a codebook was asked for.
        """
        wanted = self.reduce is True or (self.reduce == "auto"
                                         and n > AUTO_REDUCE_THRESHOLD)
        if not (wanted and fallback and self.n_codebook >= n):
            return wanted
        if warn and self.reduce is True:
            warn_user(f"n_codebook={self.n_codebook} is not smaller than "
                      f"n_samples={n}; fitting on the data directly.")
        return False

    def _check_data_params(self, n, d):
        msize = self.min_cluster_size
        if msize == "auto":
            msize = max(10, d + 1) if self.covariance_type == "full" else 10
        elif isinstance(msize, Real) and not isinstance(msize, Integral):
            msize = msize * n
        elif msize > n:
            raise ValueError(f"min_cluster_size={msize} must not exceed n_samples={n}.")
        self.min_cluster_size_ = float(msize)
        # checked whenever a codebook is asked for, even one that the n_codebook >= n
        # fallback will not build (as before the rule was shared)
        if self.covariance_type in ("full", "tied") and self._uses_codebook(n, fallback=False):
            n_cells = min(self.n_codebook, n)
            check_fits(n_cells * d * d * 8,
                       f"The codebook's full scatter for n_features={d} ({n_cells} x {d} x "
                       f"{d} float64)",
                       "use covariance_type='diag', fewer codebook cells (n_codebook), or "
                       "reduce the dimension first (e.g. PCA).", limit=MAX_SCATTER_BYTES)

    def _codebook(self, X):
        """Weighted codebook: cell means, counts and within-cell scatter."""
        return build_codebook(X, self.n_codebook, self.covariance_type)

    @staticmethod
    def _feature_variances(points, weights, scatter):
        total = weights.sum()
        mean = weights @ points / total
        var = weights @ (points - mean) ** 2
        if scatter is not None:
            var = var + (np.diagonal(scatter.sum(axis=0)) if scatter.ndim == 3
                         else scatter.sum(axis=0))
        return var / total

    def _final_mixture(self, X, points, weights, scatter, members, tree, log):
        """Mixture initialised from the leaves, pruned while the criterion improves, then
        refined from deterministic starts at that number of components (see ``_final``).
        """
        k = len(members)
        resp = np.zeros((points.shape[0], k))
        for c, (idx, share) in enumerate(members):
            resp[idx, c] = share
        # the shares of a row sum to 1 over the leaves, less the slivers below MIN_SHARE
        resp /= resp.sum(axis=1, keepdims=True)
        pts = np.asarray(points, dtype=np.float64)

        def fit_mixture(start, max_iter):
            return self._fit_mixture(pts, weights, scatter, start,
                                     EM_MAX_ITER if max_iter is None else max_iter)

        fit = fit_mixture(resp, None)
        # refined before pruning too: a removal is judged against the best mixture found
        # at the tree's number of components, not against the leaves' local optimum
        unrefined = self._criterion(fit)
        fit = refine(fit, pts, weights, fit_mixture, log)
        pruned = prune(fit, pts, weights, scatter, self.covariance_type, fit_mixture,
                       self._criterion, log)
        # with the agreement check on, no component is added: a split made here could
        # not be checked against 2-means
        if pruned.n_components == fit.n_components and self.agreement is None:
            pruned = grow(pruned, pts, weights, fit_mixture, self._criterion, log,
                          min_size=self.min_cluster_size_, max_components=self.max_clusters,
                          refine_gain=max(unrefined - self._criterion(fit), 0.0))
        if pruned.n_components != fit.n_components:
            pruned = refine(pruned, pts, weights, fit_mixture, log)
        fit = pruned
        while True:
            self._set_params(fit)
            labels, counts = self._label_training_data(X, fit.n_components)
            if counts.all():
                break
            # a component that wins no training point is dropped and the rest refitted
            resp = fit.resp[:, counts > 0]
            resp /= np.maximum(resp.sum(axis=1, keepdims=True), np.finfo(float).tiny)
            fit = self._fit_mixture(pts, weights, scatter, resp, EM_MAX_ITER)
        # each leaf belongs to the cluster holding most of its points
        leaf_ids = np.flatnonzero(tree.cluster >= 0)
        for leaf in leaf_ids:
            idx, share = members[tree.cluster[leaf]]
            tree.cluster[leaf] = int(np.argmax((weights[idx] * share) @ fit.resp[idx]))
        self.tree_ = tree
        self.labels_ = labels
        self.n_clusters_ = fit.n_components
        self.n_iter_ = fit.n_iter
        self.converged_ = fit.converged or fit.n_components == 1
        return fit

    def _label_training_data(self, X, n_components):
        """Labels of the training data and the number of points per component."""
        labels = self._predict_chunked(X)
        return labels, np.bincount(labels, minlength=n_components)

    def _fit_mixture(self, pts, weights, scatter, resp, max_iter):
        return fit_weighted_mixture(pts, resp, weights, scatter=scatter,
                                    covariance_type=self.covariance_type,
                                    reg_covar=self.reg_covar_, tol=EM_TOL,
                                    max_iter=max_iter if resp.shape[1] > 1 else 0)

    def _criterion(self, fit):
        return self._rule.model_criterion(fit.log_likelihood, fit.n_components,
                                          fit.means.shape[1])

    def _set_params(self, fit):
        # inference runs on the float64 parameters; the public ones keep X's dtype (float32
        # stays float32, as in scikit-learn's KMeans and GaussianMixture)
        self._params64 = (fit.weights, fit.means, fit.precisions_cholesky)
        dtype = getattr(self, "_fit_dtype", np.float64)
        self.weights_ = fit.weights.astype(dtype)
        self.means_ = fit.means.astype(dtype)
        self.covariances_ = fit.covariances.astype(dtype)
        self.precisions_cholesky_ = fit.precisions_cholesky.astype(dtype)
        self.cluster_centers_ = fit.means.astype(dtype)

    # ---------------------------------------------------------------- inference
    def _weighted_log_prob_chunks(self, X):
        """Weighted log-densities of ``X`` under the final mixture, chunk by chunk."""
        d, k = X.shape[1], self.means_.shape[0]
        # a row of a chunk: its float64 copy and about four (k,) rows (log-densities,
        # their shifted and exponentiated copies in predict_proba); log_gaussian_prob
        # chunks its (k, d) projections of the rows itself
        for start, stop in row_chunks(X.shape[0], 8 * (d + 4 * k)):
            yield weighted_log_prob(np.asarray(X[start:stop], dtype=np.float64),
                                    *self._params64, self.covariance_type)

    def _predict_chunked(self, X):
        out = [np.argmax(w, axis=1) for w in self._weighted_log_prob_chunks(X)]
        return np.concatenate(out).astype(np.intp)

    def _validate_new(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

    def predict(self, X):
        """Most probable cluster of each sample under the final mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self._predict_chunked(self._validate_new(X))

    def predict_proba(self, X):
        """Posterior probability of each cluster for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
        """
        X = self._validate_new(X)
        out = []
        for wlp in self._weighted_log_prob_chunks(X):
            out.append(np.exp(wlp - log_sum_exp_rows(wlp)[:, None]))
        return np.concatenate(out)

    def score_samples(self, X):
        """Log-density of each sample under the final mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        X = self._validate_new(X)
        return np.concatenate([log_sum_exp_rows(w)
                               for w in self._weighted_log_prob_chunks(X)])

    def score(self, X, y=None):
        """Average log-likelihood of the samples under the final mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        log_likelihood : float
        """
        return float(self.score_samples(X).mean())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
