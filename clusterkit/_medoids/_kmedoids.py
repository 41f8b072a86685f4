"""The KMedoids estimator: k-medoids on the full dissimilarity matrix."""
from numbers import Integral

from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast._openmp_helpers import effective_n_threads
from .._utils._logging import reporter
from .._utils._validation import (
    check_dissimilarity,
    check_medoid_array,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)
from ._base import _MedoidEstimator
from ._engine import INITS, METHODS, initial_medoids, pairwise_dissimilarity, swap_phase


class KMedoids(_MedoidEstimator):
    """k-medoids clustering: PAM, FastPAM1, FastPAM2, FasterPAM and alternating.

    Medoids are actual data points minimising the sum of dissimilarities of every point
    to its nearest medoid, for any dissimilarity (a metric name, a callable, or a
    precomputed matrix). FasterPAM (the default) finds the same quality of solution as PAM
    in a few passes that each cost about one read of the n x n matrix.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of medoids k.
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` or a callable on two
        rows; ``"precomputed"`` takes a square dissimilarity matrix as ``X``.
    metric_params : dict, default=None
        Extra keyword arguments for the metric.
    method : {"fasterpam", "fastpam1", "fastpam2", "pam", "alternate"}, default="fasterpam"
        Swap algorithm. ``fastpam1`` performs exactly the swaps of ``pam`` (faster by a
        factor of about k); ``fastpam2`` performs up to k swaps per iteration;
        ``alternate`` is the k-means-like Voronoi iteration (fast, worse optima).
    init : {"random", "build", "lab", "k-medoids++"} or array-like of shape \
(n_clusters,), default="random"
        Initial medoids: uniformly random, PAM's greedy BUILD, LAB (BUILD on samples),
        k-medoids++ seeding, or row indices.
    max_iter : int, default=300
        Maximum number of swap iterations (passes for FasterPAM).
    random_state : int, RandomState instance or None, default=None
        Seeds the random initialisations.
    verbose : int, default=0
        Print the steps and their timings.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster (0..k-1) of every sample; a medoid belongs to its own cluster.
    medoid_indices_ : ndarray of shape (n_clusters,)
        Row indices of the medoids; cluster i has medoid ``medoid_indices_[i]``.
    cluster_centers_ : ndarray of shape (n_clusters, n_features) or None
        ``X[medoid_indices_]``; None when ``metric="precomputed"``.
    inertia_ : float
        Sum of (weighted) dissimilarities of the samples to their medoid.
    n_iter_ : int
        Number of swap iterations run.
    n_swaps_ : int
        Number of medoid replacements performed.
    n_features_in_ : int
        Number of features (or of samples, for a precomputed matrix) seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined when X has string feature names.

    See Also
    --------
    CLARA : sampling-based k-medoids for data too large for an n x n matrix.
    fasterpam : the same algorithms as functions of a dissimilarity matrix.

    Notes
    -----
    The swap kernels take a full n x n matrix (float32 input halves its memory); fit raises
    a MemoryError naming the size when it cannot fit. Ties go to the lowest index, the
    results do not depend on the number of threads (``OMP_NUM_THREADS`` or
    ``threadpoolctl``), and a swap is done only when it lowers the loss by more than
    ``1e-12`` times the loss.

    References
    ----------
    .. [1] E. Schubert, P. J. Rousseeuw. Fast and eager k-medoids clustering: O(k) runtime
       improvement of the PAM, CLARA, and CLARANS algorithms. Information Systems 101
       (2021) 101804.
    .. [2] E. Schubert, P. J. Rousseeuw. Faster k-medoids clustering: improving the PAM,
       CLARA, and CLARANS algorithms. SISAP 2019.
    .. [3] L. Kaufman, P. J. Rousseeuw. Finding Groups in Data. Wiley, 1990.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import KMedoids
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> km = KMedoids(n_clusters=2, random_state=0).fit(X)
    >>> km.labels_
    array([0, 0, 0, 1, 1, 1])
    >>> km.cluster_centers_
    array([[ 1.,  2.],
           [10.,  2.]])
    >>> km.predict([[0, 0], [12, 3]])
    array([0, 1])
    """

    _parameter_constraints = {
        **_MedoidEstimator._parameter_constraints,
        "method": [StrOptions(set(METHODS))],
        "init": [StrOptions(set(INITS)), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 method="fasterpam", init="random", max_iter=300, random_state=None,
                 verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.method = method
        self.init = init
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose

    def _dissimilarity_matrix(self, X):
        """The n x n matrix for fit: validated (precomputed) or computed (memory-checked)."""
        if self._precomputed():
            return check_dissimilarity(X, "The precomputed matrix X")
        return pairwise_dissimilarity(X, self.metric, self.metric_params)

    # -- API -------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Find the medoids.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or \
(n_samples, n_samples)
            Training data, or a square dissimilarity matrix if ``metric="precomputed"``
            (it is never modified).
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights give the same loss as duplicated rows.

        Returns
        -------
        self : KMedoids
            Fitted estimator.
        """
        log = reporter(self)
        X = self._validate_X(X, reset=True)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        w = check_weights(sample_weight, n)
        init = self.init
        if not isinstance(init, str):
            init = check_medoid_array(init, n, k)
        rng = check_random_state(self.random_state)
        nt = effective_n_threads()

        with log.timer(f"{n} x {n} dissimilarity matrix ready"):
            D = self._dissimilarity_matrix(X)
        with log.timer(f"init={init if isinstance(init, str) else 'array'}: {k} medoids"):
            start = initial_medoids(D, k, init, w, rng, nt)
        with log.timer(f"{self.method} on {D.dtype.name}"):
            res = swap_phase(D, start, w, self.method, self.max_iter, nt)
        log(f"loss {res.loss:.6g}, {res.n_iter} iterations, {res.n_swaps} swaps")
        warn_if_coincident_medoids(D, res.medoids)

        self._set_fitted(X, res.medoids, res.labels, res.loss)
        self.n_iter_ = res.n_iter
        self.n_swaps_ = res.n_swaps
        return self
