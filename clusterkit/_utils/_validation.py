"""Input checks shared by the estimators and the functional API."""
import numbers

import numpy as np

from .._fast import _checks
from .._fast._openmp_helpers import effective_n_threads
from ._warnings import warn_user


def as_float_matrix(D, name="D"):
    """Return ``D`` as a C-contiguous float32/float64 ndarray (other dtypes -> float64).

    The input is never modified; a copy is made only when needed.
    """
    if hasattr(D, "toarray") or hasattr(D, "tocsr"):
        raise TypeError(f"{name} must be a dense array; a sparse dissimilarity matrix is not "
                        "supported (missing entries would not mean distance 0).")
    D = np.asarray(D)
    if D.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, got dtype {D.dtype}.")
    if D.dtype not in (np.float32, np.float64):
        D = D.astype(np.float64)
    return np.ascontiguousarray(D)


def check_dissimilarity(D, name="D", *, rtol=None, n_threads=None):
    """Validate a square dissimilarity matrix; return it as a C-contiguous float array.

    Raises a ValueError naming the problem for empty, non-square, non-finite, negative,
    nonzero-diagonal or asymmetric input (finite values included: callers need no separate
    finite check). Asymmetry is tolerated up to ``rtol`` (relative;
    1e-5 for float32, 1e-9 for float64): k-medoids assumes symmetric dissimilarities, so
    an asymmetric matrix should be symmetrised by the caller, e.g. ``(D + D.T) / 2``.

    A valid matrix is read once, on ``n_threads`` threads (None: the kernels' default);
    only a matrix that fails is scanned again, on one thread, to name its first problem.
    """
    D = as_float_matrix(D, name)
    if (D.ndim != 2 or D.shape[0] != D.shape[1]) and not np.isfinite(D).all():
        # a malformed matrix with NaN: name the NaN first, as scikit-learn's checks do
        raise ValueError(f"{name} contains NaN or infinity.")
    if D.ndim != 2:
        raise ValueError(f"{name} must be a 2-D square matrix, got {D.ndim} dimension(s).")
    if D.shape[0] != D.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {D.shape}.")
    if D.shape[0] == 0:
        raise ValueError(f"{name} is empty: found 0 samples.")
    if rtol is None:
        rtol = 1e-5 if D.dtype == np.float32 else 1e-9
    if _checks.dissimilarity_ok(D, rtol=rtol, n_threads=effective_n_threads(n_threads)):
        return D
    problem, i, j = _checks.check_dissimilarity(D, rtol=rtol)
    if problem == "nonfinite":
        raise ValueError(f"{name} contains NaN or infinity (first at [{i}, {j}]: {D[i, j]}).")
    if problem == "negative":
        raise ValueError(f"Negative values in data: {name} contains negative "
                         f"dissimilarities (first at [{i}, {j}]: "
                         f"{D[i, j]}).")
    if problem == "diagonal":
        raise ValueError(f"{name} must have a zero diagonal: {name}[{i}, {i}] = {D[i, i]}.")
    if problem == "asymmetric":
        raise ValueError(
            f"{name} is not symmetric: {name}[{i}, {j}] = {D[i, j]} but {name}[{j}, {i}] = "
            f"{D[j, i]}. k-medoids needs a symmetric dissimilarity; pass (D + D.T) / 2 "
            "(or np.maximum(D, D.T)) if your measure is asymmetric.")
    return D


def check_n_clusters(n_clusters, n_samples):
    if not isinstance(n_clusters, numbers.Integral) or isinstance(n_clusters, bool):
        raise TypeError(f"n_clusters must be an int, got {n_clusters!r}.")
    if n_clusters < 1:
        raise ValueError(f"n_clusters={n_clusters} must be at least 1.")
    if n_clusters > n_samples:
        raise ValueError(f"n_clusters={n_clusters} must be <= n_samples={n_samples}.")
    return int(n_clusters)


def check_cluster_range(min_clusters, max_clusters, n_samples, max_name="max_clusters"):
    """Validate the range of k searched by the medoid silhouette; return it as ints.

    ``max_name`` is the caller's name for the largest k (``medoids`` in ``dynmsc``).
    """
    for name, value in (("min_clusters", min_clusters), (max_name, max_clusters)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}.")
    if max_clusters < 2:
        raise ValueError(f"{max_name}={max_clusters} (the largest k) must be at least 2: "
                         "choosing k by the medoid silhouette needs two medoids or more.")
    if min_clusters < 2:
        raise ValueError(f"min_clusters={min_clusters} must be at least 2: the medoid "
                         "silhouette of a single cluster is not defined.")
    if max_clusters > n_samples:
        raise ValueError(f"{max_name}={max_clusters} (the largest k) must be <= "
                         f"n_samples={n_samples}.")
    if min_clusters > max_clusters:
        raise ValueError(f"min_clusters={min_clusters} > {max_name}={max_clusters}: the "
                         f"range of k to try is empty; pass min_clusters <= {max_name}.")
    return int(min_clusters), int(max_clusters)


def check_weights(sample_weight, n_samples):
    """Float64 weights of length n_samples: finite, non-negative, not all zero."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "fiub":
        raise TypeError(f"sample_weight must hold numbers, got dtype {w.dtype}.")
    w = np.ascontiguousarray(w, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight has shape {w.shape}, expected ({n_samples},).")
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(w < 0):
        raise ValueError("sample_weight contains negative values.")
    if not np.any(w > 0):
        raise ValueError("sample_weight is zero everywhere: there is nothing to cluster.")
    return w


def check_medoid_array(medoids, n_samples, n_clusters=None):
    """Validate an array of initial medoid indices: integers, in range, distinct."""
    m = np.asarray(medoids)
    if m.ndim != 1:
        raise ValueError(f"The initial medoids must be a 1-D array of indices, got shape "
                         f"{m.shape}.")
    if m.size == 0:
        raise ValueError("The initial medoids array is empty.")
    if m.dtype.kind not in "iu":
        if m.dtype.kind == "f" and np.all(np.isfinite(m)) and np.all(m == np.round(m)):
            m = m.astype(np.intp)
        else:
            raise TypeError(f"The initial medoids must be integer indices, got dtype {m.dtype}.")
    if n_clusters is not None and m.size != n_clusters:
        raise ValueError(f"init has {m.size} medoids but n_clusters={n_clusters}.")
    if m.min() < 0 or m.max() >= n_samples:
        bad = m[(m < 0) | (m >= n_samples)][0]
        raise ValueError(f"Initial medoid index {bad} is out of range for {n_samples} samples.")
    if np.unique(m).size != m.size:
        vals, counts = np.unique(m, return_counts=True)
        raise ValueError(f"The initial medoids contain duplicates: {vals[counts > 1].tolist()}.")
    if m.size > n_samples:
        raise ValueError(f"{m.size} medoids for {n_samples} samples.")
    return np.ascontiguousarray(m, dtype=np.intp)


def warn_if_coincident_medoids(D, medoids):
    """Warn when two medoids are at distance 0: the data has fewer distinct points than k."""
    if len(medoids) < 2:
        return
    sub = D[np.ix_(medoids, medoids)]
    zero = (sub == 0).sum() - len(medoids)
    if zero > 0:
        n_distinct = len(medoids) - int(np.triu(sub == 0, 1).any(axis=0).sum())
        warn_user(
            f"Only {n_distinct} of the {len(medoids)} medoids are distinct points: the data "
            "has fewer distinct points than n_clusters. k medoids are still returned; "
            "coincident medoids share their points.")
