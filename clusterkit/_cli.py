"""Command line: ``python -m clusterkit [DATA] [-k K] ...``.

Clusters scikit-learn's digits (or a user's CSV / .npy file) with k-medoids and prints the
medoids, the loss, the silhouettes and the time taken; with a data file it writes the labels.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ._medoids import INITS, METHODS


def _load(path):
    p = Path(path)
    if not p.exists():
        raise SystemExit(f"clusterkit: no such file: {path}")
    if p.suffix == ".npy":
        X = np.load(p, allow_pickle=False)
    else:
        delim = "," if p.suffix.lower() == ".csv" else None
        try:
            X = np.loadtxt(p, delimiter=delim, ndmin=2)
        except ValueError:  # a header line
            X = np.loadtxt(p, delimiter=delim, ndmin=2, skiprows=1)
    if X.ndim != 2:
        raise SystemExit(f"clusterkit: {path} must hold a 2-D table, got shape {X.shape}")
    return X


def build_parser():
    ap = argparse.ArgumentParser(
        prog="python -m clusterkit",
        description="k-medoids clustering from the command line. Without DATA, clusters "
                    "scikit-learn's digits (1797 x 64) into 10 clusters.")
    ap.add_argument("data", nargs="?", help="a .csv / .txt table or a .npy array, one row "
                    "per sample (default: the digits data set)")
    ap.add_argument("-k", "--n-clusters", type=int, default=10, help="number of medoids")
    ap.add_argument("--method", default="fasterpam", choices=METHODS)
    ap.add_argument("--init", default="random", choices=INITS)
    ap.add_argument("--metric", default="euclidean", help="any scikit-learn metric name")
    ap.add_argument("--float32", action="store_true", help="half the memory for the matrix")
    ap.add_argument("--seed", type=int, default=0, help="random_state")
    ap.add_argument("-o", "--output", help="where to write the labels (default with DATA: "
                    "<DATA stem>_labels.csv next to it)")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    return ap


def main(argv=None):
    from ._medoids import KMedoids, pairwise_dissimilarity
    from .metrics import medoid_silhouette, silhouette

    args = build_parser().parse_args(argv)
    if args.data is None:
        from sklearn.datasets import load_digits
        X, y = load_digits(return_X_y=True)
        name = "digits (scikit-learn)"
    else:
        X, y, name = _load(args.data), None, args.data
    X = X.astype(np.float32 if args.float32 else np.float64)
    print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features")

    t0 = time.perf_counter()
    # the estimator's own matrix builder: memory-checked for the dtype really built
    D = pairwise_dissimilarity(X, args.metric)
    t1 = time.perf_counter()
    km = KMedoids(args.n_clusters, metric="precomputed", method=args.method, init=args.init,
                  random_state=args.seed, verbose=args.verbose).fit(D)
    t2 = time.perf_counter()

    print(f"method: {args.method} (init={args.init}), k = {args.n_clusters}")
    print(f"medoids (row indices): {km.medoid_indices_.tolist()}")
    sizes = np.bincount(km.labels_, minlength=args.n_clusters)
    print(f"cluster sizes: {sizes.tolist()}")
    print(f"loss (sum of distances): {km.inertia_:.6g}   "
          f"mean distance to medoid: {km.inertia_ / X.shape[0]:.6g}")
    if 2 <= args.n_clusters < X.shape[0]:
        print(f"silhouette: {silhouette(D, km.labels_, check_input=False):.4f}   "
              f"medoid silhouette: "
              f"{medoid_silhouette(D, km.medoid_indices_, metric='precomputed'):.4f}")
    if y is not None:
        from sklearn.metrics import adjusted_rand_score
        print(f"adjusted Rand index vs the digit labels: "
              f"{adjusted_rand_score(y, km.labels_):.4f}")
    print(f"time: distance matrix {t1 - t0:.3f} s, clustering {t2 - t1:.3f} s "
          f"({km.n_iter_} passes, {km.n_swaps_} swaps)")

    out = args.output
    if out is None and args.data is not None:
        out = str(Path(args.data).with_name(Path(args.data).stem + "_labels.csv"))
    if out:
        np.savetxt(out, km.labels_, fmt="%d")
        print(f"labels written to {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
