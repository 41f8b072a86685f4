"""k-medoids on a 10 GB float32 matrix on one machine: n = 50 000, clusterkit and kmedoids.

Each run is a fresh subprocess (so that its peak memory, ``VmHWM`` from /proc, is its own):
it builds the 50 000 x 50 000 float32 euclidean matrix of make_blobs data with
``clusterkit._medoids.pairwise_dissimilarity`` (threaded blocks), draws the same random
start, and runs FasterPAM on it: ``KMedoids(metric="precomputed")`` (validation included)
or ``kmedoids.fasterpam(D, start, n_cpu=1)`` on the same matrix. The memory guard's
estimate (``check_square_matrix_fits``: n^2 x 4 bytes) is printed beside the measured
peak. Runs alternate between the two sides; medians of ``--repeats`` runs.

Run: ``PYTHONPATH=$PWD python benchmarks/bench_big_n.py`` (about 10 minutes, 12 GB free).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import table

CHILD = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits
from clusterkit import KMedoids
from clusterkit._medoids import pairwise_dissimilarity

side, n, k, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X, _ = make_blobs(n, n_features=20, centers=50, cluster_std=3.0, random_state=0)
X = X.astype(np.float32)
start = np.sort(np.random.RandomState(0).choice(n, k, replace=False))
t0 = time.perf_counter()
D = pairwise_dissimilarity(X, n_threads=threads)
t_matrix = time.perf_counter() - t0
t0 = time.perf_counter()
if side == "clusterkit":
    with threadpool_limits(threads, user_api="openmp"):
        m = KMedoids(k, metric="precomputed", init=start).fit(D)
    medoids, loss = m.medoid_indices_, m.inertia_
else:
    import kmedoids
    r = kmedoids.fasterpam(D, start, n_cpu=threads)
    medoids, loss = np.asarray(r.medoids), float(r.loss)
t_fit = time.perf_counter() - t0
hwm = 0
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
print(json.dumps(dict(matrix=t_matrix, fit=t_fit, peak=hwm, loss=float(loss),
                      medoids=sorted(int(x) for x in medoids), dtype=str(D.dtype))))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=50_000)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    estimate = args.n * args.n * 4
    results = {"clusterkit": [], "kmedoids": []}
    for _ in range(args.repeats):
        for side in results:
            out = subprocess.run([sys.executable, "-c", CHILD, side, str(args.n), str(args.k),
                                  str(args.threads)], capture_output=True, text=True,
                                 check=True)
            results[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = []
    for side, runs in results.items():
        peak = statistics.median(r["peak"] for r in runs)
        rows.append([side, runs[0]["dtype"], f"{statistics.median(r['matrix'] for r in runs):.1f}",
                     f"{statistics.median(r['fit'] for r in runs):.1f}",
                     f"{peak / 2**30:.2f}", f"{estimate / 2**30:.2f}",
                     f"{100 * (peak / estimate - 1):+.1f}%", f"{runs[0]['loss']:.6g}"])
    same = results["clusterkit"][0]["medoids"] == results["kmedoids"][0]["medoids"]
    print(f"### n = {args.n}, k = {args.k}, {args.threads} thread(s), same medoids: {same}")
    table(["side", "D dtype", "matrix s", "FasterPAM fit s (median)", "peak GiB (VmHWM)",
           "guard estimate GiB", "peak vs estimate", "loss"], rows)


if __name__ == "__main__":
    main()
