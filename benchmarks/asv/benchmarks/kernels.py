"""asv benchmarks of clusterkit's main kernels, one thread, on fixed synthetic data.

Each class times one kernel family on data built once in ``setup`` (outside the timing).
The matrices are small enough for a quick run (n = 2000, about 30 MB) and large enough that
the kernel, not Python, dominates. See benchmarks/asv/README.md for how to run them.
"""
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import clusterkit
from clusterkit import metrics

N = 2000


def _matrix(dtype=np.float64, n=N):
    X, _ = make_blobs(n, n_features=10, centers=20, random_state=0)
    D = pairwise_distances(X)
    D = (D + D.T) / 2
    np.fill_diagonal(D, 0)
    return np.ascontiguousarray(D, dtype=dtype), X


class SwapPhase:
    """FasterPAM, FastPAM1 and FasterMSC from the same random medoids."""

    params = (["fasterpam", "fastpam1", "fastermsc"], [10, 100], ["float64", "float32"])
    param_names = ["method", "k", "dtype"]
    timeout = 300

    def setup(self, method, k, dtype):
        self.D, _ = _matrix(np.dtype(dtype))
        self.init = np.random.default_rng(k).choice(N, k, replace=False)
        self.f = getattr(clusterkit, method)

    def time_swap(self, method, k, dtype):
        self.f(self.D, self.init, n_threads=1, check_input=False)


class Starts:
    """BUILD (O(n^2 k)) and LAB."""

    params = ([10, 100],)
    param_names = ["k"]

    def setup(self, k):
        self.D, _ = _matrix()

    def time_build(self, k):
        clusterkit.build(self.D, k, n_threads=1, check_input=False)

    def time_lab(self, k):
        clusterkit.lab(self.D, k, random_state=0, check_input=False)


class Validation:
    """The one-pass check of a precomputed matrix (finite, >= 0, zero diagonal, symmetric)."""

    def setup(self):
        self.D, _ = _matrix()

    def time_check_dissimilarity(self):
        from clusterkit._utils._validation import check_dissimilarity
        check_dissimilarity(self.D)


class Silhouettes:
    """Exact silhouette (O(n^2)) and medoid silhouette (O(n k))."""

    def setup(self):
        self.D, _ = _matrix()
        self.labels = np.arange(N) % 20
        self.medoids = np.arange(20)

    def time_silhouette(self):
        metrics.silhouette(self.D, self.labels, n_threads=1)

    def time_medoid_silhouette(self):
        metrics.medoid_silhouette(self.D, self.medoids, metric="precomputed")


class LargeN:
    """CLARA (FasterCLARA, defaults) on features: no n x n matrix."""

    timeout = 300

    def setup(self):
        self.X, _ = make_blobs(20000, n_features=20, centers=50, random_state=1)

    def time_clara(self):
        clusterkit.CLARA(n_clusters=50, random_state=0).fit(self.X)


class Community:
    """Bottom-up hierarchical communities on a 2000-node HSBM."""

    timeout = 300

    def setup(self):
        from clusterkit.datasets import make_hsbm
        self.A, _ = make_hsbm(depth=3, branching=2, n_per_community=250,
                              p=[0.002, 0.01, 0.03, 0.12], random_state=0)

    def time_agglomerative(self):
        from clusterkit.community import AgglomerativeCommunities
        AgglomerativeCommunities(random_state=0).fit(self.A)
