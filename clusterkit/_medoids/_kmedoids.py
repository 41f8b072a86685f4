"""The KMedoids estimator: k-medoids on the full dissimilarity matrix."""
from numbers import Integral

from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast._openmp_helpers import effective_n_threads
from .._utils._logging import reporter
from .._utils._validation import (
    check_cluster_range,
    check_dissimilarity,
    check_medoid_array,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)
from ._base import _MedoidEstimator
from ._engine import (
    INITS,
    METHODS,
    SILHOUETTE_METHODS,
    initial_medoids,
    medoid_silhouette_of,
    pairwise_dissimilarity,
    search_n_clusters,
    swap_phase,
)


class KMedoids(_MedoidEstimator):
    """k-medoids clustering: PAM, FastPAM1, FastPAM2, FasterPAM, alternating and silhouette
    clustering (FasterMSC, FastMSC, PAMMEDSIL, PAMSIL), with k given or chosen.

    Medoids are actual data points minimising the sum of dissimilarities of every point
    to its nearest medoid, for any dissimilarity (a metric name, a callable, or a
    precomputed matrix). FasterPAM (the default) finds the same quality of solution as PAM
    in a few passes that each cost about one read of the n x n matrix. The silhouette
    methods maximise the (medoid) silhouette instead. With ``n_clusters="auto"`` the
    number of clusters is chosen in ``[min_clusters, max_clusters]`` by the average medoid
    silhouette (DynMSC's search).

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of medoids k, or ``"auto"``: try every k from ``max_clusters`` down to
        ``min_clusters`` (each started from the previous k's medoids minus one, optimised
        with ``method``) and keep the k with the highest average medoid silhouette. With
        ``method="fastermsc"`` this is DynMSC (Lenssen and Schubert 2024). The silhouette
        tends to favour small k: see ``search_results_`` and the user guide.
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` or a callable on two
        rows; ``"precomputed"`` takes a square dissimilarity matrix as ``X``.
    metric_params : dict, default=None
        Extra keyword arguments for the metric.
    method : {"fasterpam", "fastpam1", "fastpam2", "pam", "alternate", "fastermsc", \
"fastmsc", "pammedsil", "pamsil"}, default="fasterpam"
        Swap algorithm. Minimising the sum of distances: ``fastpam1`` performs exactly
        the swaps of ``pam`` (faster by a factor of about k); ``fastpam2`` performs up to k
        swaps per iteration; ``alternate`` is the k-means-like Voronoi iteration (fast,
        worse optima). Maximising the average medoid silhouette (k >= 2): ``fastermsc``
        (eager, the fastest), ``fastmsc`` (exactly the swaps of ``pammedsil``, faster by a
        factor of about k^2). Maximising the silhouette: ``pamsil`` (small data only; no
        ``sample_weight``).
    init : {"random", "build", "lab", "k-medoids++"} or array-like of shape \
(n_clusters,), default="random"
        Initial medoids: uniformly random, PAM's greedy BUILD, LAB (BUILD on samples),
        k-medoids++ seeding, or row indices.
    max_iter : int, default=300
        Maximum number of swap iterations (passes for FasterPAM and FasterMSC), at every k
        tried when ``n_clusters="auto"``.
    min_clusters : int, default=2
        Smallest k tried when ``n_clusters="auto"`` (ignored otherwise).
    max_clusters : int, default=10
        Largest k tried when ``n_clusters="auto"`` (ignored otherwise); at most
        ``n_samples``. Keep it within two to three times the k you expect.
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
        Sum of (weighted) dissimilarities of the samples to their medoid, for every
        method (the silhouette methods report their objective in ``medoid_silhouette_``
        and ``search_results_``).
    n_clusters_ : int
        Number of clusters found: ``n_clusters``, or the k chosen by ``"auto"``.
    medoid_silhouette_ : float
        Average (weighted) medoid silhouette of the clustering, ``mean(1 - a / b)`` with
        a, b the distances to the nearest and second nearest medoid; NaN for k = 1.
    search_results_ : dict
        Only with ``n_clusters="auto"``: the clustering at every k tried, as arrays in
        increasing k (``pandas.DataFrame(search_results_)`` shows a table):
        ``"n_clusters"``, ``"medoid_silhouette"``, ``"loss"`` (the inertia), ``"n_iter"``,
        ``"n_swaps"``, and ``"medoids"`` (a list of index arrays).
        :func:`clusterkit.plotting.plot_silhouette_k` draws it.
    n_iter_ : int
        Number of swap iterations run (summed over every k tried).
    n_swaps_ : int
        Number of medoid replacements performed (summed over every k tried).
    n_features_in_ : int
        Number of features (or of samples, for a precomputed matrix) seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined when X has string feature names.

    See Also
    --------
    CLARA : sampling-based k-medoids for data too large for an n x n matrix.
    fasterpam : the same algorithms as functions of a dissimilarity matrix.
    dynmsc : the ``n_clusters="auto"`` search with FasterMSC, as a function.
    clusterkit.metrics.silhouette : the exact silhouette on a precomputed matrix.

    Notes
    -----
    The swap kernels take a full n x n matrix (float32 input halves its memory); fit raises
    a MemoryError naming the size when it cannot fit. Ties go to the lowest index, the
    results do not depend on the number of threads (``OMP_NUM_THREADS`` or
    ``threadpoolctl``), and a swap is done only when it lowers the loss by more than
    ``1e-12`` times the loss (the silhouette methods: when it raises the summed
    silhouette by more than ``1e-12 * n``).

    References
    ----------
    .. [1] E. Schubert, P. J. Rousseeuw. Fast and eager k-medoids clustering: O(k) runtime
       improvement of the PAM, CLARA, and CLARANS algorithms. Information Systems 101
       (2021) 101804.
    .. [2] E. Schubert, P. J. Rousseeuw. Faster k-medoids clustering: improving the PAM,
       CLARA, and CLARANS algorithms. SISAP 2019.
    .. [3] L. Kaufman, P. J. Rousseeuw. Finding Groups in Data. Wiley, 1990.
    .. [4] L. Lenssen, E. Schubert. Medoid silhouette clustering with automatic cluster
       number selection. Information Systems 120 (2024) 102290.

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

    Choosing k by the medoid silhouette:

    >>> X3 = np.r_[X, X + [0, 20]]
    >>> auto = KMedoids("auto", max_clusters=5, method="fastermsc", random_state=0).fit(X3)
    >>> auto.n_clusters_, auto.search_results_["n_clusters"].tolist()
    (4, [2, 3, 4, 5])
    """

    _parameter_constraints = {
        **_MedoidEstimator._parameter_constraints,
        "n_clusters": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "method": [StrOptions(set(METHODS))],
        "init": [StrOptions(set(INITS)), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "min_clusters": [Interval(Integral, 2, None, closed="left")],
        "max_clusters": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 method="fasterpam", init="random", max_iter=300, min_clusters=2,
                 max_clusters=10, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.method = method
        self.init = init
        self.max_iter = max_iter
        self.min_clusters = min_clusters
        self.max_clusters = max_clusters
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
            Non-negative weights; integer weights give the same loss (and medoid
            silhouette) as duplicated rows. ``method="pamsil"`` takes none.

        Returns
        -------
        self : KMedoids
            Fitted estimator.
        """
        log = reporter(self)
        X = self._validate_X(X, reset=True)
        n = X.shape[0]
        auto = isinstance(self.n_clusters, str)
        if auto:
            min_k, k = check_cluster_range(self.min_clusters, self.max_clusters, n)
        else:
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
        if auto:
            with log.timer(f"{self.method} at k = {k} .. {min_k} on {D.dtype.name}"):
                res = search_n_clusters(D, start, w, self.method, min_k, self.max_iter, nt,
                                        log=log)
            log(f"k = {len(res.medoids)} has the best medoid silhouette")
        else:
            with log.timer(f"{self.method} on {D.dtype.name}"):
                res = swap_phase(D, start, w, self.method, self.max_iter, nt)
        log(f"loss {res.loss:.6g}, {res.n_iter} iterations, {res.n_swaps} swaps")
        warn_if_coincident_medoids(D, res.medoids)

        self._set_fitted(X, res.medoids, res.labels, res.loss)
        self.n_clusters_ = len(res.medoids)
        if self.n_clusters_ < 2:
            self.medoid_silhouette_ = float("nan")
        elif self.method in SILHOUETTE_METHODS and self.method != "pamsil":
            self.medoid_silhouette_ = res.silhouette
        else:
            self.medoid_silhouette_ = medoid_silhouette_of(D, res.medoids, w, nt)
        if auto:
            self.search_results_ = res.search
        self.n_iter_ = res.n_iter
        self.n_swaps_ = res.n_swaps
        return self
