"""Slow, obviously-correct NumPy references for silhouette clustering.

Every objective value is computed from scratch (sort each object's distances to the
medoids, or average its distances to every cluster), so nothing is shared with the
Cython kernels but the definitions and the rules below.

Definitions
-----------
* Medoid silhouette of object o: ``1 - a / b`` with ``a`` / ``b`` its distances to the
  nearest / second nearest medoid; ``0`` when ``a = b = 0`` (scikit-learn's convention
  for 0/0). The loss minimised is ``L = sum_o w[o] * (1 - s[o])``; the reported value is
  the weighted mean of ``s``, ``1 - L / W`` with ``W = sum(w)``.
* Silhouette (Rousseeuw 1987), as scikit-learn computes it: ``(b - a) / max(a, b)``, 0 for
  an object alone in its cluster and when ``a = b = 0``.

Rules (the kernels follow them exactly)
---------------------------------------
* ``tol = eps * W`` (medoid silhouette) or ``eps * n`` (silhouette): a value beats the
  best so far only when it is better by more than ``tol``, so ties (also ties that differ
  by rounding) go to the first in scanning order; a swap is done only when it improves
  the objective by more than ``tol``.
* Medoid silhouette methods scan candidates in index order and, per candidate, slots in
  slot order (lowest candidate, then lowest slot). PAMSIL scans slot-major (lowest slot,
  then lowest candidate), as the original PAMSIL and the ``kmedoids`` package do.
"""
import numpy as np
from reference import labels as nearest_labels


def ratio(a, b):
    """a / b for 0 <= a <= b, and 1 when b == 0 (then a == 0: the silhouette is 0)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), 1.0)


def two_nearest(D, medoids):
    d = np.sort(D[:, medoids], axis=1)
    return d[:, 0], d[:, 1]


def medoid_silhouette_samples(D, medoids):
    a, b = two_nearest(D, medoids)
    return 1.0 - ratio(a, b)


def msc_loss(D, medoids, w):
    a, b = two_nearest(D, medoids)
    return float(np.sum(w * ratio(a, b)))


def best_slot(values, tol):
    """First slot whose value is not beaten by more than tol by a later one (sequential)."""
    b = 0
    for i in range(1, len(values)):
        if values[i] < values[b] - tol:
            b = i
    return b


def msc_candidate(D, med, c, w, tol):
    """(change of the loss, slot) for bringing in candidate c, all slots from scratch."""
    base = msc_loss(D, med, w)
    changes = []
    for i in range(len(med)):
        trial = med.copy()
        trial[i] = c
        changes.append(msc_loss(D, trial, w) - base)
    s = best_slot(changes, tol)
    return changes[s], s


def _result(D, med, w, n_iter, n_swaps):
    W = float(np.sum(w))
    return med, nearest_labels(D, med), 1.0 - msc_loss(D, med, w) / W, n_iter, n_swaps


def pammedsil(D, medoids, w=None, max_iter=300, eps=1e-12):
    """PAMMEDSIL: the best swap of all (candidate, slot) pairs per iteration."""
    n = len(D)
    w = np.ones(n) if w is None else np.asarray(w, float)
    tol = eps * w.sum()
    med = np.array(medoids).copy()
    n_iter = n_swaps = 0
    while n_iter < max_iter:
        n_iter += 1
        best, bc, bs = np.inf, -1, -1
        for c in range(n):
            if c in med:
                continue
            ch, s = msc_candidate(D, med, c, w, tol)
            if bc < 0 or ch < best - tol:
                best, bc, bs = ch, c, s
        if not best < -tol:
            break
        med[bs] = bc
        n_swaps += 1
    return _result(D, med, w, n_iter, n_swaps)


def fastermsc(D, medoids, w=None, order=None, max_iter=300, eps=1e-12):
    """FasterMSC: eager swaps in ``order``; a pass ends on reaching the last swap again."""
    n = len(D)
    w = np.ones(n) if w is None else np.asarray(w, float)
    tol = eps * w.sum()
    order = np.arange(n) if order is None else order
    med = np.array(medoids).copy()
    loss = msc_loss(D, med, w)
    n_iter = n_swaps = 0
    lastswap = -1
    while n_iter < max_iter:
        n_iter += 1
        before, last_loss = n_swaps, loss
        hit = False
        for c in order:
            if c == lastswap:
                hit = True
                break
            if c in med:
                continue
            ch, s = msc_candidate(D, med, c, w, tol)
            if ch < -tol:
                med[s] = c
                loss = msc_loss(D, med, w)
                lastswap = c
                n_swaps += 1
        if hit or n_swaps == before or not loss < last_loss:
            break
    return _result(D, med, w, n_iter, n_swaps)


def removal_changes(D, med, w):
    """Change of the loss when slot i is removed (and nothing added), for every slot."""
    base = msc_loss(D, med, w)
    return np.array([msc_loss(D, np.delete(med, i), w) - base for i in range(len(med))])


def dynmsc(D, medoids, w=None, min_k=2, max_iter=300, eps=1e-12):
    """DynMSC: FasterMSC at k = len(medoids), then drop the slot whose removal raises the
    loss most (the first such slot), optimise again, down to min_k. Returns the best k
    (the smallest on ties), its medoids, and the medoid silhouette at every k (ascending)."""
    n = len(D)
    w = np.ones(n) if w is None else np.asarray(w, float)
    tol = eps * w.sum()
    med = np.array(medoids).copy()
    per_k = {}
    while True:
        med, _, sil, _, _ = fastermsc(D, med, w, max_iter=max_iter, eps=eps)
        per_k[len(med)] = (sil, med.copy())
        if len(med) <= min_k:
            break
        rl = removal_changes(D, med, w)
        drop = best_slot(-rl, tol)
        med = np.delete(med, drop)
    ks = np.array(sorted(per_k))
    sils = np.array([per_k[k][0] for k in ks])
    best = int(ks[np.argmax(sils)])
    return best, per_k[best][1], ks, sils


# ---------------------------------------------------------------------------------------
# The original silhouette and PAMSIL
# ---------------------------------------------------------------------------------------

def silhouette_samples(D, labels):
    """Per-object silhouette by its definition (rows of D), 0 for singletons and 0/0."""
    labels = np.asarray(labels)
    ks = np.unique(labels)
    n = len(D)
    s = np.zeros(n)
    for o in range(n):
        own = labels[o]
        members = labels == own
        if members.sum() == 1:
            continue
        a = D[o, members].sum() / (members.sum() - 1)
        b = min(D[o, labels == c].mean() for c in ks if c != own)
        m = max(a, b)
        s[o] = (b - a) / m if m > 0 else 0.0
    return s


def pamsil(D, medoids, max_iter=300, eps=1e-12):
    """PAMSIL: the best swap for the (full) silhouette of the nearest-medoid partition,
    every trial partition scored from scratch; slot-major scan."""
    n = len(D)
    tol = eps * n
    med = np.array(medoids).copy()

    def score(m):
        return float(silhouette_samples(D, nearest_labels(D, m)).sum())

    cur = score(med)
    n_iter = n_swaps = 0
    while n_iter < max_iter:
        n_iter += 1
        best, bs, bc = -np.inf, -1, -1
        for i in range(len(med)):
            for c in range(n):
                if c in med:
                    continue
                trial = med.copy()
                trial[i] = c
                val = score(trial)
                if bs < 0 or val > best + tol:
                    best, bs, bc = val, i, c
        if not best > cur + tol:
            break
        med[bs] = bc
        cur = score(med)
        n_swaps += 1
    return med, nearest_labels(D, med), cur / n, n_iter, n_swaps
