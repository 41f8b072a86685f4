"""Average linkage on edge density over communities (the bottom-up community tree).

The similarity of two clusters ``C, C'`` is ``W[C, C'] / (|C| |C'|)``: the total edge
weight between them over the number of node pairs. Merging ``C`` and ``C'`` adds their
rows of ``W`` and their sizes, so similarities are always recomputed from exact sums
(no running averages); for unweighted graphs the sums are integer edge counts, exact in
float64 up to 2^53.

Average linkage is reducible: the similarity of a merged cluster to any other is a
size-weighted average of the two former similarities, hence never above the similarity of
the pair just merged. Merge similarities are therefore non-increasing and the heights
``1 - similarity / scale`` non-decreasing: the tree has no inversions.

Each active cluster caches its most similar partner. After a merge only the rows whose
partner was one of the merged clusters are rescanned, which makes the loop O(K^2) in
practice for K clusters (O(K^3) in the worst case).

Ties: the pair with the lowest (first, then second) row index wins, so the result is fully
deterministic.
"""
import numpy as np

from libc.math cimport INFINITY

from clusterkit._fast._typedefs cimport intp_t


cdef inline double _sim(const double[:, ::1] W, const double* size,
                        intp_t i, intp_t j) noexcept nogil:
    return W[i, j] / (size[i] * size[j])


cdef void _rescan(const double[:, ::1] W, const double* size, const unsigned char* active,
                  intp_t K, intp_t i, intp_t* best, double* best_sim) noexcept nogil:
    """Most similar active partner of ``i`` (lowest index on ties)."""
    cdef intp_t j, bj = -1
    cdef double s, bs = -INFINITY
    for j in range(K):
        if j == i or not active[j]:
            continue
        s = _sim(W, size, i, j)
        if s > bs:
            bs = s
            bj = j
    best[i] = bj
    best_sim[i] = bs


def density_average_linkage(const double[:, ::1] weights,   # IN (K, K) symmetric
                            const double[::1] sizes,         # IN (K,) nodes per cluster > 0
                            double scale=1.0):               # IN heights = 1 - sim / scale
    """Merge ``K`` communities by average linkage on edge density.

    Parameters
    ----------
    weights : ndarray of shape (K, K), float64, C-contiguous
        Total edge weight between communities; the diagonal is ignored.
    sizes : ndarray of shape (K,), float64
        Number of nodes of each community (all positive).
    scale : float, default=1.0
        Heights are ``1 - similarity / scale``; pass the largest edge weight so that the
        heights of a weighted graph stay in [0, 1] like those of an unweighted one.

    Returns
    -------
    linkage : ndarray of shape (K - 1, 4)
        scipy format: merged ids (leaves ``0..K-1``, merge ``t`` creates id ``K + t``),
        height, and the number of communities under the new cluster.
    similarity : ndarray of shape (K - 1,)
        The edge density of each merged pair.
    n_nodes : ndarray of shape (K - 1,)
        The number of nodes under each new cluster.
    """
    cdef intp_t K = weights.shape[0]
    if weights.shape[1] != K or sizes.shape[0] != K:
        raise ValueError("weights must be (K, K) and sizes (K,)")
    if K == 0:
        raise ValueError("at least one community is needed")
    cdef double[:, ::1] W = np.array(weights, dtype=np.float64, order="C")
    cdef double[::1] size = np.array(sizes, dtype=np.float64)
    cdef double[:, ::1] Z = np.zeros((max(K - 1, 0), 4), dtype=np.float64)
    cdef double[::1] sim_out = np.zeros(max(K - 1, 0), dtype=np.float64)
    cdef double[::1] nodes_out = np.zeros(max(K - 1, 0), dtype=np.float64)
    cdef intp_t[::1] cluster_id = np.arange(K, dtype=np.intp)
    cdef double[::1] n_leaves = np.ones(K, dtype=np.float64)
    cdef unsigned char[::1] active = np.ones(K, dtype=np.uint8)
    cdef intp_t[::1] best = np.full(K, -1, dtype=np.intp)
    cdef double[::1] best_sim = np.full(K, -INFINITY, dtype=np.float64)
    cdef intp_t i, k, t, a, b
    cdef double s, bs
    for i in range(K):
        if size[i] <= 0:
            raise ValueError("every community must have a positive size")
    with nogil:
        for i in range(K):
            _rescan(W, &size[0], &active[0], K, i, &best[0], &best_sim[0])
        for t in range(K - 1):
            # the most similar pair: lowest row index on ties
            a = -1
            bs = -INFINITY
            for i in range(K):
                if active[i] and best_sim[i] > bs:
                    bs = best_sim[i]
                    a = i
            b = best[a]
            if b < a:
                a, b = b, a
            # merge b into a
            Z[t, 0] = <double>min(cluster_id[a], cluster_id[b])
            Z[t, 1] = <double>max(cluster_id[a], cluster_id[b])
            Z[t, 2] = 1.0 - bs / scale
            n_leaves[a] += n_leaves[b]
            Z[t, 3] = n_leaves[a]
            sim_out[t] = bs
            active[b] = 0
            for k in range(K):
                W[a, k] += W[b, k]
                W[k, a] = W[a, k]
            size[a] += size[b]
            nodes_out[t] = size[a]
            cluster_id[a] = K + t
            _rescan(W, &size[0], &active[0], K, a, &best[0], &best_sim[0])
            for k in range(K):
                if not active[k] or k == a:
                    continue
                if best[k] == a or best[k] == b:
                    _rescan(W, &size[0], &active[0], K, k, &best[0], &best_sim[0])
                else:
                    s = _sim(W, &size[0], k, a)
                    if s > best_sim[k] or (s == best_sim[k] and a < best[k]):
                        best[k] = a
                        best_sim[k] = s
    return np.asarray(Z), np.asarray(sim_out), np.asarray(nodes_out)
