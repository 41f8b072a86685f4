"""k-medoids: the KMedoids estimator and its functional twins on a dissimilarity matrix."""
import time
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import _VALID_METRICS
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._fast import _init, _pam
from ._fast._openmp import effective_n_threads
from ._medoid_base import _MedoidEstimator
from ._utils._memory import check_square_matrix_fits
from ._utils._validation import (
    check_dissimilarity,
    check_medoid_array,
    check_n_clusters,
    check_weights,
    warn_if_coincident_medoids,
)

METHODS = ("fasterpam", "fastpam1", "fastpam2", "pam", "alternate")
INITS = ("random", "build", "lab", "k-medoids++")


@dataclass(frozen=True)
class KMedoidsResult:
    """Result of a functional k-medoids run.

    Attributes
    ----------
    medoids : ndarray of shape (k,)
        Row indices of the medoids, in slot order.
    labels : ndarray of shape (n,)
        Slot (0..k-1) of every object's nearest medoid.
    loss : float
        Sum of (weighted) distances of the objects to their nearest medoid.
    n_iter : int
        Number of passes / iterations of the swap phase.
    n_swaps : int
        Number of medoid replacements performed.
    """

    medoids: np.ndarray
    labels: np.ndarray = field(repr=False)
    loss: float
    n_iter: int = 0
    n_swaps: int = 0


# ----------------------------------------------------------------------------------------
# Shared machinery: initialisation and the swap phase on a validated matrix
# ----------------------------------------------------------------------------------------

def _initial_medoids(D, k, init, w, rng, n_threads):
    """Initial medoids for a validated D (init: a name or a validated index array)."""
    n = D.shape[0]
    if not isinstance(init, str):
        return init
    if init == "random":
        return np.sort(rng.choice(n, size=k, replace=False)).astype(np.intp)
    if init == "build":
        return _init.build(D, k, w, n_threads)
    if init == "lab":
        s = min(n, 10 + int(np.ceil(np.sqrt(n))))
        return _init.lab(D, k, w, rng.random((k, s)))
    if init == "k-medoids++":
        n_trials = 2 + int(np.log(k))
        return _init.kmedoids_plusplus(D, k, w, rng.random((k, n_trials + 1)), n_threads)
    raise ValueError(f"Unknown init {init!r}; expected one of {INITS} or an index array.")


def _swap_phase(D, medoids, w, method, max_iter, n_threads, order=None, fasttol=1.0):
    """Run ``method`` from ``medoids`` on a validated D; return a KMedoidsResult."""
    k = len(medoids)
    if k == 1:
        # exact optimum: the object with the smallest weighted row sum (no second nearest
        # exists, so the swap kernels' removal losses would be inf - inf)
        sums = _init.row_sums(D, w, n_threads)
        best = int(np.argmin(sums))
        swapped = int(best != medoids[0])
        return KMedoidsResult(np.array([best], dtype=np.intp), np.zeros(len(D), np.intp),
                              float(sums[best]), 1, swapped)
    medoids = np.ascontiguousarray(medoids, dtype=np.intp)
    if method == "fasterpam":
        if order is None:
            order = np.arange(D.shape[0], dtype=np.intp)
        out = _pam.fasterpam(D, medoids, w, order, max_iter, n_threads=n_threads)
    elif method == "fastpam1":
        out = _pam.fastpam1(D, medoids, w, max_iter, n_threads=n_threads)
    elif method == "fastpam2":
        out = _pam.fastpam2(D, medoids, w, max_iter, fasttol, n_threads=n_threads)
    elif method == "pam":
        out = _pam.pam_swap(D, medoids, w, max_iter, n_threads=n_threads)
    elif method == "alternate":
        out = _pam.alternating(D, medoids, w, max_iter, n_threads=n_threads)
    else:
        raise ValueError(f"Unknown method {method!r}; expected one of {METHODS}.")
    med, lab, loss, n_iter, n_swaps = out
    return KMedoidsResult(med, lab, float(loss), int(n_iter), int(n_swaps))


def _prepare(D, medoids, sample_weight, check_input, init_default, random_state, n_threads):
    """Validate the functional API's input; return (D, k or medoid array, w, rng, nt)."""
    if check_input:
        D = check_dissimilarity(D)
    else:
        D = np.ascontiguousarray(D)
        if D.dtype not in (np.float32, np.float64):
            D = D.astype(np.float64)
    n = D.shape[0]
    w = check_weights(sample_weight, n)
    if isinstance(medoids, (Integral, np.integer)) and not isinstance(medoids, bool):
        k = check_n_clusters(int(medoids), n)
        init = init_default
    else:
        init = check_medoid_array(medoids, n)
        k = len(init)
    return D, k, init, w, check_random_state(random_state), effective_n_threads(n_threads)


def _functional(method, init_default):
    def run(D, medoids, *, sample_weight=None, max_iter=300, init=None, random_state=None,
            n_threads=None, check_input=True, **kwargs):
        D, k, init_arr, w, rng, nt = _prepare(D, medoids, sample_weight, check_input,
                                              init or init_default, random_state, n_threads)
        start = _initial_medoids(D, k, init_arr, w, rng, nt)
        return _swap_phase(D, start, w, method, max_iter, nt, **kwargs)
    return run


def fasterpam(D, medoids, *, sample_weight=None, max_iter=300, init="random", shuffle=False,
              random_state=None, n_threads=None, check_input=True):
    """FasterPAM k-medoids on a dissimilarity matrix.

    Eager swapping with the O(k) FastPAM1 inner loop (Schubert and Rousseeuw 2021): every
    improving swap is executed as soon as it is found; a pass costs about one read of D.

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities, zero diagonal; float32 is kept as float32.
    medoids : int or array-like of shape (k,)
        Number of clusters (then ``init`` picks the start) or initial medoid indices.
    sample_weight : array-like of shape (n,), default=None
        Non-negative weights; the loss is ``sum_o w[o] * d(o, nearest medoid)``.
    max_iter : int, default=300
        Maximum number of passes over the candidates.
    init : {"random", "build", "lab", "k-medoids++"}, default="random"
        Start used when ``medoids`` is an int.
    shuffle : bool, default=False
        Visit the candidates in one random order drawn from ``random_state`` instead of
        index order.
    random_state : int, RandomState instance or None
        Seeds the initialisation and the shuffle.
    n_threads : int or None
        Threads (None: OpenMP's default). The result does not depend on it.
    check_input : bool, default=True
        Validate D (finite, non-negative, square, symmetric, zero diagonal) first. Only
        switch off for matrices already validated.

    Returns
    -------
    KMedoidsResult
        ``medoids``, ``labels``, ``loss``, ``n_iter``, ``n_swaps``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import fasterpam
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> D = np.abs(X - X.T)
    >>> res = fasterpam(D, np.array([0, 1]))
    >>> sorted(res.medoids.tolist()), res.loss
    ([1, 4], 4.0)
    """
    D, k, init_arr, w, rng, nt = _prepare(D, medoids, sample_weight, check_input, init,
                                          random_state, n_threads)
    start = _initial_medoids(D, k, init_arr, w, rng, nt)
    order = rng.permutation(D.shape[0]).astype(np.intp) if shuffle else None
    return _swap_phase(D, start, w, "fasterpam", max_iter, nt, order=order)


def _doc(name, summary, default_init):
    return f"""{summary}

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal (float32 kept as float32).
    medoids : int or array-like of shape (k,)
        Number of clusters (then ``init`` picks the start) or initial medoid indices.
    sample_weight : array-like of shape (n,), default=None
        Non-negative weights; the loss is ``sum_o w[o] * d(o, nearest medoid)``.
    max_iter : int, default=300
        Maximum number of iterations.
    init : {{"random", "build", "lab", "k-medoids++"}}, default="{default_init}"
        Start used when ``medoids`` is an int.
    random_state : int, RandomState instance or None
        Seeds a random initialisation.
    n_threads : int or None
        Threads (None: OpenMP's default). The result does not depend on it.
    check_input : bool, default=True
        Validate D first.

    Returns
    -------
    KMedoidsResult
        ``medoids``, ``labels``, ``loss``, ``n_iter``, ``n_swaps``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import {name}
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> res = {name}(np.abs(X - X.T), 2)
    >>> sorted(res.medoids.tolist()), res.loss
    ([1, 4], 4.0)
    """


pam = _functional("pam", "build")
pam.__name__ = pam.__qualname__ = "pam"
pam.__doc__ = _doc("pam", "PAM: BUILD, then the original SWAP (best of all k(n-k) swaps "
                   "per iteration, O(k n^2) each).", "build")
fastpam1 = _functional("fastpam1", "build")
fastpam1.__name__ = fastpam1.__qualname__ = "fastpam1"
fastpam1.__doc__ = _doc("fastpam1", "FastPAM1: exactly PAM's swaps, found in O(n^2) per "
                        "iteration instead of O(k n^2).", "build")
fastpam2 = _functional("fastpam2", "build")
fastpam2.__name__ = fastpam2.__qualname__ = "fastpam2"
fastpam2.__doc__ = _doc("fastpam2", "FastPAM2: up to k swaps per O(n^2) iteration (pass "
                        "``fasttol``: 1 accepts any improvement, 0 only undiminished gains).",
                        "build")
alternating = _functional("alternate", "random")
alternating.__name__ = alternating.__qualname__ = "alternating"
alternating.__doc__ = _doc("alternating", "Alternating (Voronoi iteration, k-means style): "
                           "assign, then move each medoid to its cluster's most central "
                           "member, until nothing changes. Fast but worse optima.", "random")


def build(D, n_clusters, *, sample_weight=None, n_threads=None, check_input=True):
    """PAM's BUILD initialisation alone (greedy, O(n^2 k)).

    Parameters
    ----------
    D : array-like of shape (n, n)
        Symmetric dissimilarities with a zero diagonal.
    n_clusters : int
    sample_weight : array-like of shape (n,), default=None
    n_threads : int or None
    check_input : bool, default=True

    Returns
    -------
    KMedoidsResult
        With ``n_iter = n_swaps = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import build
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> build(np.abs(X - X.T), 2).medoids.tolist()
    [2, 4]
    """
    D, k, _, w, _, nt = _prepare(D, n_clusters, sample_weight, check_input, "build", None,
                                 n_threads)
    med = _init.build(D, k, w, nt)
    lab, _, loss = _pam.assign(D, med, w, nt)
    return KMedoidsResult(med, lab, float(loss))


def lab(D, n_clusters, *, sample_weight=None, random_state=None, check_input=True):
    """LAB: linear approximative BUILD on random samples (about O(n k)).

    Parameters
    ----------
    D : array-like of shape (n, n)
    n_clusters : int
    sample_weight : array-like of shape (n,), default=None
    random_state : int, RandomState instance or None
    check_input : bool, default=True

    Returns
    -------
    KMedoidsResult
        With ``n_iter = n_swaps = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import lab
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> len(lab(np.abs(X - X.T), 2, random_state=0).medoids)
    2
    """
    D, k, _, w, rng, nt = _prepare(D, n_clusters, sample_weight, check_input, "lab",
                                   random_state, 1)
    med = _initial_medoids(D, k, "lab", w, rng, nt)
    labels, _, loss = _pam.assign(D, med, w, nt)
    return KMedoidsResult(med, labels, float(loss))


# ----------------------------------------------------------------------------------------
# Estimator
# ----------------------------------------------------------------------------------------

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
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions(set(_VALID_METRICS) | {"precomputed"}), callable],
        "metric_params": [dict, None],
        "method": [StrOptions(set(METHODS))],
        "init": [StrOptions(set(INITS)), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
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
        # scikit-learn keeps float32 only for the euclidean metric; others build float64
        keeps_dtype = self.metric == "euclidean" and not self.metric_params
        check_square_matrix_fits(X.shape[0], X.dtype if keeps_dtype else np.float64)
        D = pairwise_distances(X, metric=self.metric, **(self.metric_params or {}))
        D = np.ascontiguousarray(D, dtype=X.dtype)
        np.fill_diagonal(D, 0)
        return check_dissimilarity(D, f"The {self.metric!r} dissimilarity matrix")

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
        t0 = time.perf_counter()
        X = self._validate_X(X, reset=True)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        w = check_weights(sample_weight, n)
        init = self.init
        if not isinstance(init, str):
            init = check_medoid_array(init, n, k)
        rng = check_random_state(self.random_state)
        nt = effective_n_threads()

        D = self._dissimilarity_matrix(X)
        self._log(f"{n} x {n} {D.dtype.name} dissimilarity matrix ready", t0)
        t1 = time.perf_counter()
        start = _initial_medoids(D, k, init, w, rng, nt)
        self._log(f"init={init if isinstance(init, str) else 'array'}: {k} medoids", t1)
        t1 = time.perf_counter()
        res = _swap_phase(D, start, w, self.method, self.max_iter, nt)
        self._log(f"{self.method}: loss {res.loss:.6g}, {res.n_iter} iterations, "
                  f"{res.n_swaps} swaps", t1)
        warn_if_coincident_medoids(D, res.medoids)

        self._set_fitted(X, res.medoids, res.labels, res.loss)
        self.n_iter_ = res.n_iter
        self.n_swaps_ = res.n_swaps
        return self
