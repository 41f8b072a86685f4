"""One-batch k-medoids: eager swaps judged on one batch, then a refinement on all the data."""
import time
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.metrics import pairwise_distances
from sklearn.utils._param_validation import Interval, StrOptions

from .._fast._openmp_helpers import effective_n_threads
from .._utils._chunking import row_chunks
from .._utils._logging import reporter
from .._utils._memory import check_fits, format_bytes
from ._base import _MedoidEstimator, _SearchEstimator
from ._engine import INITS, batch_swap_phase, euclidean_block, initial_medoids
from ._refine import MAX_ROUNDS, assign, refine_medoids

__all__ = ["OneBatchPAM", "default_batch_size"]

# batch objects per unit of log(n k): chosen on benchmarks/bench_large_n.py (docs/clara.rst)
BATCH_PER_LOG = 100


def default_batch_size(n, k, batch_size="auto"):
    """Batch size m: ``100 log(n k)`` objects (at least 2k, at most n) for ``"auto"``, or
    the validated user value.

    Examples
    --------
    >>> from clusterkit._medoids._onebatch import default_batch_size
    >>> default_batch_size(20000, 100)
    1450
    >>> default_batch_size(300, 10)
    300
    """
    if batch_size == "auto":
        m = int(BATCH_PER_LOG * np.log(max(2, n * k)))
        return int(min(n, max(m, 2 * k)))
    if not k <= batch_size <= n:
        raise ValueError(f"batch_size={batch_size} must be between n_clusters={k} and "
                         f"n_samples={n}.")
    return int(batch_size)


class OneBatchPAM(_SearchEstimator):
    """One-batch k-medoids: FasterPAM swaps judged on one batch, refined on all the data.

    For data too large for the n x n matrix. One batch of m objects is drawn and the
    n x m block of distances of every object to the batch is computed once; FasterPAM's
    eager swaps then run with **every** object as a candidate medoid, each candidate judged
    by the (weighted) loss of the batch, O(n (m + k)) per pass. With ``weighting=True``
    each batch object stands for the objects nearest to it (its weight is their total
    sample weight), so the batch loss estimates the loss of all the data. Finally the
    refinement of :class:`CLARA` (PAMAE's second phase) moves every medoid to the best of
    a few candidates of its cluster, judged on the whole cluster, while the loss on all the
    data decreases. This is the method of de Mathelin et al. (AAAI 2025) on clusterkit's
    FasterPAM kernel, plus that refinement.

    Memory: the n x m block in the dtype of X (float32 stays float32), e.g. 6.9 GiB for
    n = 10^6, k = 100, float32 with the default m; distances of one chunk of rows to the
    medoids otherwise. Time: n m distances for the block, O(n (m + k)) per swap pass,
    about 33 n distances per refinement round.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of medoids k.
    metric : str or callable, default="euclidean"
        Any metric of :func:`sklearn.metrics.pairwise_distances` or a callable;
        ``"precomputed"`` takes a square n x n matrix (of which only the n x m block is
        read; :class:`KMedoids` is exact when the matrix fits).
    metric_params : dict, default=None
        Extra keyword arguments for the metric.
    batch_size : int or "auto", default="auto"
        Batch size m, between k and n. ``"auto"``: ``100 log(n k)`` (at least 2k, at most
        n), which grows like log n: 1450 at n = 20000, k = 100; 1842 at n = 10^6.
    weighting : bool, default=True
        Weight every batch object by the total sample weight of the objects whose nearest
        batch object it is (computed from the block). False: by its own sample weight.
    init : {"k-medoids++", "build", "lab", "random"}, default="k-medoids++"
        Initial medoids, chosen among the batch objects on the batch's m x m block.
        k-medoids++ costs O(m k); BUILD (O(m^2 k)) took a third of the time on the
        benchmarks and the swaps reached the same batch loss from either.
    max_iter : int, default=300
        Maximum number of swap passes.
    refine : bool, default=True
        Refine the medoids on all the data after the swap phase (see :class:`CLARA`); a
        round that does not lower the loss is discarded.
    refine_iter : int, default=10
        Maximum number of refinement rounds (at least 1 when refining).
    random_state : int, RandomState instance or None, default=None
        Seeds the batch, the candidates' visiting order, the initialisation and the
        refinement's random candidates.
    verbose : int, default=0
        Print the phases and their times.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    medoid_indices_ : ndarray of shape (n_clusters,)
        Row indices of the medoids.
    cluster_centers_ : ndarray of shape (n_clusters, n_features) or None
        ``X[medoid_indices_]`` (None when precomputed).
    inertia_ : float
        Loss (weighted sum of distances) of all n objects, after the refinement.
    search_loss_ : float
        Loss of all n objects for the medoids of the swap phase, before the refinement.
    batch_loss_ : float
        The (weighted) batch loss at the end of the swap phase.
    batch_indices_ : ndarray of shape (batch_size,)
        Rows of the batch.
    n_iter_ : int
        Swap passes.
    n_swaps_ : int
        Swaps performed.
    n_refine_rounds_ : int
        Refinement rounds that lowered the loss.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    CLARA : samples clustered on their own small matrices, then the same refinement.
    KMedoids : exact FasterPAM when the n x n matrix fits.

    References
    ----------
    .. [1] A. de Mathelin, N. Enrique, M. Mougeot, N. Vayatis. OneBatchPAM: a fast and
       frugal k-medoids algorithm. AAAI 2025.
    .. [2] H. Song, J.-G. Lee, W.-S. Han. PAMAE: parallel k-medoids clustering with high
       accuracy and efficiency. KDD 2017.
    .. [3] E. Schubert, P. J. Rousseeuw. Fast and eager k-medoids clustering. Information
       Systems 101 (2021) 101804.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit import OneBatchPAM
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> model = OneBatchPAM(n_clusters=2, random_state=0).fit(X)
    >>> sorted(model.medoid_indices_.tolist())
    [0, 3]
    >>> bool((model.predict([[0, 0], [12, 3]]) == model.labels_[[0, 3]]).all())
    True
    """

    _parameter_constraints = {
        **_MedoidEstimator._parameter_constraints,
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "weighting": ["boolean"],
        "init": [StrOptions(set(INITS))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "refine": ["boolean"],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, metric="euclidean", metric_params=None,
                 batch_size="auto", weighting=True, init="k-medoids++", max_iter=300,
                 refine=True, refine_iter=MAX_ROUNDS, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.metric_params = metric_params
        self.batch_size = batch_size
        self.weighting = weighting
        self.init = init
        self.max_iter = max_iter
        self.refine = refine
        self.refine_iter = refine_iter
        self.random_state = random_state
        self.verbose = verbose

    def _block(self, X, rows, batch):
        """B[i, j] = d(X[rows[i]], X[batch[j]]) in X's dtype, chunk by chunk."""
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        m = len(batch)
        check_fits(len(rows) * m * np.dtype(dtype).itemsize,
                   f"The {len(rows)} x {m} block of distances to the batch",
                   "pass a smaller batch_size, or use CLARA (memory O(n k)).")
        B = np.empty((len(rows), m), dtype=dtype)
        if self._precomputed():
            for start, stop in row_chunks(len(rows), 2 * B.itemsize * m):
                B[start:stop] = np.asarray(X[np.ix_(rows[start:stop], batch)])
        elif not (self.metric == "euclidean" and not self.metric_params
                  and not sp.issparse(X) and euclidean_block(X, rows, batch, B)):
            Xb = X[batch]
            for start, stop in row_chunks(len(rows), 2 * B.itemsize * m):
                B[start:stop] = pairwise_distances(X[rows[start:stop]], Xb,
                                                   metric=self.metric,
                                                   **(self.metric_params or {}))
        # rows 0..m-1 are the batch itself: an exact zero diagonal and a symmetric square
        # part, whatever the rounding of the metric
        sq = B[:m]
        sq += sq.T.copy()
        sq *= 0.5
        np.fill_diagonal(sq, 0.0)
        return B

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Draw the batch, swap on it, refine on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or \
(n_samples, n_samples)
            Training data, or a square dissimilarity matrix if ``metric="precomputed"``.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, in the batch weights and in the loss on all the data.

        Returns
        -------
        self : OneBatchPAM
        """
        log = reporter(self)
        X, n, k, w, rng = self._prepare_fit(X, sample_weight)
        if self.refine and self.refine_iter < 1:
            raise ValueError(f"refine_iter={self.refine_iter} must be at least 1 when "
                             "refining; pass refine=False to skip the refinement.")
        m = default_batch_size(n, k, self.batch_size)
        nt = effective_n_threads()

        t1 = time.perf_counter()
        batch = np.sort(rng.choice(n, size=m, replace=False)).astype(np.intp)
        rest = np.setdiff1d(np.arange(n, dtype=np.intp), batch, assume_unique=True)
        rows = np.concatenate([batch, rest])     # the batch first: row j < m is batch[j]
        B = self._block(X, rows, batch)
        log(f"block of {n} x {m} distances to the batch ({format_bytes(B.nbytes)})",
            since=t1)

        t1 = time.perf_counter()
        if self.weighting:
            nearest = np.argmin(B, axis=1)
            wb = np.bincount(nearest, weights=w[rows], minlength=m).astype(np.float64)
        else:
            wb = np.ascontiguousarray(w[batch], dtype=np.float64)
        if not np.any(wb > 0):
            wb = np.ones(m)  # a batch of zero-weight objects: judge it unweighted
        start = initial_medoids(B[:m], k, self.init, wb, rng, nt)
        order = rng.permutation(n).astype(np.intp)
        res = batch_swap_phase(B, start, wb, self.max_iter, nt, order=order)
        del B
        medoids = rows[res.medoids]
        labels, dist, loss = assign(X, medoids, w, self.metric, self.metric_params,
                                    self._precomputed())
        log(f"swap phase: {res.n_iter} passes, {res.n_swaps} swaps, batch loss "
            f"{res.loss:.6g}, loss on all {n} = {loss:.6g}", since=t1)
        self.search_loss_ = loss
        self.n_refine_rounds_ = 0
        if self.refine:
            t1 = time.perf_counter()
            ref = refine_medoids(X, medoids, w, metric=self.metric,
                                 metric_params=self.metric_params,
                                 precomputed=self._precomputed(),
                                 max_rounds=self.refine_iter, random_state=rng,
                                 start=(labels, dist, loss))
            medoids, labels, loss = ref.medoids, ref.labels, ref.loss
            self.n_refine_rounds_ = ref.n_rounds
            log(f"refinement: {ref.n_rounds} rounds, loss on all {n} = {loss:.6g}",
                since=t1)
        self._set_best(X, dict(medoids=medoids, labels=labels, loss=loss))
        self.batch_loss_ = res.loss
        self.batch_indices_ = batch
        self.n_iter_ = res.n_iter
        self.n_swaps_ = res.n_swaps
        log.done(f"done: loss {loss:.6g}")
        return self
