"""Improving the bottom communities a base clustering found, before the tree is built.

* :func:`split_locally` splits again, recursively, every community whose own
  Bethe-Hessian still has negative eigenvalues: communities too weak to stand out of the
  spectrum of the whole graph often stand out in their part of it.
* :func:`refine_by_density` moves every node to the community it is most densely linked
  to, the local-improvement step that turns almost-exact into exact recovery.
"""
import numpy as np

from ._spectral import bethe_hessian_clustering

__all__ = ["split_locally", "refine_by_density"]


def split_locally(A, labels, rng, *, n_init, log, degree_corrected=False):
    """Split again, recursively, every community whose subgraph shows structure.

    Parameters
    ----------
    A : csr_array of shape (n, n)
        Adjacency of a connected graph (as the spectral steps see it).
    labels : ndarray of shape (n,)
        Communities ``0..K-1``.
    rng : RandomState
        Seeds the eigen-solvers and k-means.
    n_init : int
        Number of k-means restarts of each new clustering.
    log : Reporter
        Prints one line per community split (at ``verbose >= 2``).
    degree_corrected : bool, default=False
        Embed every community with :func:`~._spectral.zeta_embedding`.

    Returns
    -------
    labels : ndarray of shape (n,)
        The old labels keep their numbers; the new communities get ``K, K + 1, ...``.
    """
    labels = labels.copy()
    queue = list(range(int(labels.max()) + 1))
    next_label = len(queue)
    while queue:
        k = queue.pop()
        nodes = np.flatnonzero(labels == k)
        if nodes.size < 4:
            continue
        # one count of the negative eigenvalues decides and clusters: a separate check
        # of the two smallest first only saved work where there was nothing to split,
        # which a full count finds as fast (it stops when the count is stable), and
        # counted every community that did split a second time
        found = bethe_hessian_clustering(A[nodes][:, nodes], rng, None, n_init=n_init,
                                         degree_corrected=degree_corrected, log=log)
        n_found = int(found.max()) + 1
        if n_found < 2:
            log(f"community of {nodes.size} nodes: no further structure", level=2)
            continue
        new = np.concatenate([[k], np.arange(next_label, next_label + n_found - 1)])
        labels[nodes] = new[found]
        next_label += n_found - 1
        queue.extend(new.tolist())
        log(f"community of {nodes.size} nodes split into {n_found}", level=2)
    return labels


def refine_by_density(A, labels, n_sweeps):
    """Move every node to the community it is most densely linked to, ``n_sweeps`` times.

    The density of node ``i`` to community ``C`` is ``w(i, C) / |C \\ {i}|``. One sweep
    moves all nodes at once (from the same labels), like the local-improvement step that
    turns almost-exact into exact recovery in block models; sweeps stop early when
    nothing moves. Ties keep the current community, then the lowest label. Communities
    that end up empty disappear (labels are compacted).

    Parameters
    ----------
    A : csr_array of shape (n, n)
        Adjacency of a graph without isolated nodes.
    labels : ndarray of shape (n,)
        Labels in ``0..K-1``.
    n_sweeps : int

    Returns
    -------
    labels : ndarray of shape (n,)
    """
    n = A.shape[0]
    labels = np.asarray(labels, dtype=np.intp)
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    for _ in range(n_sweeps):
        K = int(labels.max()) + 1
        sizes = np.bincount(labels, minlength=K).astype(np.float64)
        # w(i, C) for the (i, C) pairs that have an edge: sum the edges by (row, label)
        key = rows * K + labels[A.indices]
        uniq, inv = np.unique(key, return_inverse=True)
        w = np.bincount(inv, weights=A.data)
        i, c = uniq // K, uniq % K
        denom = sizes[c] - (labels[i] == c)
        dens = np.where(denom > 0, w / np.maximum(denom, 1.0), 0.0)
        # per row: the best density; prefer the current label, then the lowest label
        own = labels[i] == c
        order = np.lexsort((c, ~own, -dens, i))
        first = np.ones(order.size, dtype=bool)
        first[1:] = i[order][1:] != i[order][:-1]
        best = order[first]
        new = labels.copy()
        new[i[best]] = c[best]
        if np.array_equal(new, labels):
            break
        _, labels = np.unique(new, return_inverse=True)
        labels = labels.astype(np.intp)
    return labels
