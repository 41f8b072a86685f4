"""Deterministic weighted codebooks for PPP's input-space reduction.

Tree-structured vector quantisation: the cell with the largest within-cell sum of squares is
split by the sign of the projection on its principal axis. Each cell keeps its count, mean
and within-cell scatter, so mixtures fitted on the codebook see the data's second moments.
"""
import heapq

import numpy as np

from ._gmm import summary_scatter
from ._split import principal_side


def build_codebook(X, n_cells, covariance_type):
    """Weighted codebook of X: cell means, counts and within-cell scatter (TSVQ cells)."""
    assign, n_cells = _tsvq_cells(X, n_cells)
    counts = np.bincount(assign, minlength=n_cells).astype(np.float64)
    means = np.empty((n_cells, X.shape[1]))
    for f in range(X.shape[1]):
        means[:, f] = np.bincount(assign, weights=X[:, f], minlength=n_cells)
    means /= counts[:, None]
    scatter = summary_scatter(X, assign, means, n_cells, covariance_type)
    return means, counts, scatter


def merge_codebooks(means, counts, scatter, n_cells):
    """Reduce a set of codebook cells (e.g. the union of per-chunk codebooks) to at most
    ``n_cells`` cells with the same tree-structured rule as :func:`_tsvq_cells`.

    A group of cells is split by the sign of the projection of its cell means on the
    principal axis of the group's total scatter (within-cell plus between-cell); cells are
    never divided. Counts, means and scatter of the merged cells are exact (the scatter by
    the parallel-axis theorem), so the result summarises the points as faithfully as the
    cells it is built from. ``scatter`` is (m, d, d) or its (m, d) diagonal.
    """
    means = np.asarray(means, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    full = scatter.ndim == 3

    def summary(idx):
        c = counts[idx]
        total = c.sum()
        mean = c @ means[idx] / total
        diff = means[idx] - mean
        if full:
            scat = scatter[idx].sum(axis=0) + (diff * c[:, None]).T @ diff
            sse = float(np.trace(scat))
        else:
            scat = scatter[idx].sum(axis=0) + c @ diff ** 2
            sse = float(scat.sum())
        return total, mean, scat, sse

    groups = [np.arange(len(counts))]
    heap = [(-summary(groups[0])[3], 0)]
    while len(groups) < n_cells and heap:
        neg_sse, g = heapq.heappop(heap)
        idx = groups[g]
        if idx.size < 2 or neg_sse >= 0:
            continue
        total, mean, scat, _ = summary(idx)
        diff = means[idx] - mean
        between = (diff * counts[idx][:, None]).T @ diff
        axis_scatter = scat if full else between + np.diag(scat - np.diag(between))
        side = principal_side(diff, axis_scatter)
        if side.all() or not side.any():
            continue
        groups[g] = idx[~side]
        groups.append(idx[side])
        heapq.heappush(heap, (-summary(groups[g])[3], g))
        heapq.heappush(heap, (-summary(groups[-1])[3], len(groups) - 1))
    out_counts = np.empty(len(groups))
    out_means = np.empty((len(groups), means.shape[1]))
    out_scatter = np.empty((len(groups),) + scatter.shape[1:])
    for g, idx in enumerate(groups):
        out_counts[g], out_means[g], out_scatter[g], _ = summary(idx)
    return out_means, out_counts, out_scatter


def _tsvq_cells(X, n_cells):
    """Deterministic vector quantisation: cell label of every row, and the number of cells.

    Tree-structured: the cell with the largest within-cell sum of squares is split by the
    sign of the projection on its principal axis, until ``n_cells`` cells exist or no
    cell can be split (ties go to the earlier cell). No random number is drawn, so the
    codebook, and everything computed from it, is the same on every run. Rows are kept
    permuted so that every cell is a contiguous block (one reordering per split).
    """
    n = X.shape[0]
    Xp = np.array(X, order="C")  # a permuted copy in the input dtype
    perm = np.arange(n)

    def sse(start, stop):
        block = Xp[start:stop]
        centred = block - block.mean(axis=0)
        return float(np.einsum("ij,ij->", centred, centred))

    cells = [(0, n)]
    heap = [(-sse(0, n), 0)]
    n_done = 1
    while n_done < n_cells and heap:
        neg_sse, c = heapq.heappop(heap)
        if neg_sse >= 0:
            break
        start, stop = cells[c]
        block = Xp[start:stop]
        centred = block - block.mean(axis=0)
        side = principal_side(centred, centred.T @ centred)
        n_side = int(side.sum())
        if n_side == 0 or n_side == stop - start:
            continue
        order = np.argsort(~side, kind="stable")  # the positive side first
        Xp[start:stop] = block[order]
        perm[start:stop] = perm[start:stop][order]
        # the children's sums of squares from the parent's pass
        sq = np.einsum("ij,ij->i", centred, centred)
        sum_side = side @ centred
        sq_side = float(sq[side].sum())
        shift = float(sum_side @ sum_side)
        sse_children = (sq_side - shift / n_side,
                        float(sq.sum()) - sq_side - shift / (stop - start - n_side))
        mid = start + n_side
        cells[c] = (start, mid)
        cells.append((mid, stop))
        for cell, value in zip((c, len(cells) - 1), sse_children):
            a, b = cells[cell]
            if b - a > 1 and value > 0:
                heapq.heappush(heap, (-value, cell))
        n_done += 1
    assign = np.empty(n, dtype=np.intp)
    for label, (start, stop) in enumerate(sorted(cells)):
        assign[perm[start:stop]] = label
    return assign, len(cells)
