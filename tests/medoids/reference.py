"""Slow, obviously-correct NumPy reference implementations of the k-medoids kernels.

Every change of the loss is computed from scratch (assign all objects, sum the weighted
distances), so these functions share nothing with the Cython kernels but the definitions:
ties go to the lowest candidate index, then the lowest slot; a swap is done when it lowers
the loss by more than ``eps * loss``.
"""
import numpy as np


def loss(D, medoids, w=None):
    w = np.ones(len(D)) if w is None else w
    return float(np.sum(w * D[:, medoids].min(axis=1)))


def labels(D, medoids):
    lab = np.argmin(D[:, medoids], axis=1)
    lab[medoids] = np.arange(len(medoids))  # a medoid belongs to its own slot
    return lab


def build(D, k, w=None):
    n = len(D)
    w = np.ones(n) if w is None else w
    med = [int(np.argmin(D @ w))]
    for _ in range(1, k):
        dmin = D[:, med].min(axis=1)
        gains = np.array([np.sum(w * np.maximum(0, dmin - D[:, c])) if c not in med else -1
                          for c in range(n)])
        med.append(int(np.argmax(gains)))
    return np.array(med)


def best_swap_for(D, med, c, w):
    """(change, slot) of the best swap bringing in candidate c (lowest slot on ties)."""
    base = loss(D, med, w)
    best, slot = np.inf, -1
    for i in range(len(med)):
        trial = med.copy()
        trial[i] = c
        ch = loss(D, trial, w) - base
        if ch < best:
            best, slot = ch, i
    return best, slot


def pam(D, medoids, w=None, max_iter=300, eps=1e-12):
    n = len(D)
    w = np.ones(n) if w is None else w
    med = np.array(medoids).copy()
    n_iter = n_swaps = 0
    while n_iter < max_iter:
        n_iter += 1
        best, bc, bs = np.inf, -1, -1
        for c in range(n):
            if c in med:
                continue
            ch, s = best_swap_for(D, med, c, w)
            if ch < best:
                best, bc, bs = ch, c, s
        if not best < -eps * loss(D, med, w):
            break
        med[bs] = bc
        n_swaps += 1
    return med, labels(D, med), loss(D, med, w), n_iter, n_swaps


def fasterpam(D, medoids, w=None, order=None, max_iter=300, eps=1e-12):
    """FasterPAM on a square D: :func:`fasterpam_block` with every object a candidate."""
    med, td, n_iter, n_swaps = fasterpam_block(D, medoids, w, order, max_iter, eps)
    return med, labels(D, med), td, n_iter, n_swaps


def alternating(D, medoids, w=None, max_iter=300, eps=1e-12):
    n = len(D)
    w = np.ones(n) if w is None else w
    med = np.array(medoids).copy()
    n_iter = n_swaps = 0
    while n_iter < max_iter:
        n_iter += 1
        lab = labels(D, med)
        td = loss(D, med, w)
        changed = 0
        for i in range(len(med)):
            members = np.flatnonzero(lab == i)
            cost = D[np.ix_(members, members)] @ w[members]
            j = int(np.argmin(cost))
            cur = int(np.flatnonzero(members == med[i])[0])
            if members[j] != med[i] and cost[j] < cost[cur] - eps * td:
                med[i] = members[j]
                changed += 1
        if not changed:
            break
        n_swaps += changed
    return med, labels(D, med), loss(D, med, w), n_iter, n_swaps


def block_loss(B, medoids, w):
    """Loss of the objects (columns of the block B, rows = candidates) for ``medoids``."""
    return float(np.sum(w * B[medoids].min(axis=0)))


def fasterpam_block(B, medoids, w=None, order=None, max_iter=300, eps=1e-12):
    """FasterPAM on a block B of shape (n_cand, n): every row is a candidate, the loss is
    over the n columns (rows 0..n-1 are the column objects). Same rules as
    :func:`fasterpam`, of which a square B is the special case."""
    n_cand, n = B.shape
    w = np.ones(n) if w is None else w
    order = np.arange(n_cand) if order is None else order
    med = np.array(medoids).copy()
    td = block_loss(B, med, w)
    n_iter = n_swaps = 0
    lastswap = -1
    while n_iter < max_iter:
        n_iter += 1
        before, last_td = n_swaps, td
        hit = False
        for c in order:
            if c == lastswap:
                hit = True
                break
            if c in med:
                continue
            best, s = best_swap_for(B.T, med, c, w)  # B.T: objects x candidates
            if best < -eps * td:
                med[s] = c
                td = block_loss(B, med, w)
                lastswap = c
                n_swaps += 1
        if hit or n_swaps == before or not td < last_td:
            break
    return med, td, n_iter, n_swaps
