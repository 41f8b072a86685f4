"""DaskCLARA at n = 10^7 on a local Dask cluster, against in-memory CLARA on 10^6.

    pip install -e ".[dask,bench]"
    python benchmarks/bench_dask.py [--n 10000000] [--workers 2]

The data (blobs, d = 10, 50 centres) is generated chunk by chunk on the workers, so the
client never holds it. Reported: fit time, peak RSS of the client and of every worker, and
the loss of DaskCLARA against in-memory CLARA on the first 10^6 rows.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402


def _peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def _blobs_chunk(block_info=None, centers=None, d=10):
    loc = block_info[None]["array-location"][0]
    rows = loc[1] - loc[0]
    rng = np.random.default_rng(loc[0])
    lab = rng.integers(len(centers), size=rows)
    return centers[lab] + rng.normal(scale=2.0, size=(rows, d))


def make_dask_blobs(n, d, n_centers, chunk_rows):
    import dask.array as da
    centers = np.random.default_rng(12345).uniform(-40, 40, size=(n_centers, d))
    return da.map_blocks(_blobs_chunk, centers=centers, d=d, dtype=np.float64,
                         chunks=((chunk_rows,) * (n // chunk_rows) +
                                 ((n % chunk_rows,) if n % chunk_rows else ()), (d,)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-rows", type=int, default=500_000)
    ap.add_argument("--k", type=int, default=50)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from clusterkit import CLARA
    from clusterkit.dask import DaskCLARA

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    X = make_dask_blobs(args.n, 10, 50, args.chunk_rows)
    rows = []
    t = time.perf_counter()
    big = DaskCLARA(args.k, random_state=0).fit(X)
    t_big = time.perf_counter() - t
    worker_peaks = client.run(_peak_rss_mib)
    rows.append((f"DaskCLARA, n = {args.n:.0e}", f"{t_big:.1f}", f"{big.inertia_:.6g}",
                 f"{big.inertia_ / args.n:.4f}", f"{_peak_rss_mib():.0f}",
                 " / ".join(f"{v:.0f}" for v in worker_peaks.values())))

    n_sub = min(args.n, 1_000_000)
    Xs = X[:n_sub]
    t = time.perf_counter()
    sub = DaskCLARA(args.k, random_state=0).fit(Xs)
    t_sub = time.perf_counter() - t
    Xm = Xs.compute()
    t = time.perf_counter()
    mem = CLARA(args.k, random_state=0, sampling="independent").fit(Xm)
    t_mem = time.perf_counter() - t
    t = time.perf_counter()
    mem_kb = CLARA(args.k, random_state=0).fit(Xm)
    t_kb = time.perf_counter() - t
    rows.append((f"DaskCLARA, first {n_sub:.0e} rows", f"{t_sub:.1f}", f"{sub.inertia_:.6g}",
                 f"{sub.inertia_ / n_sub:.4f}", "", ""))
    rows.append((f"CLARA in memory (independent samples), {n_sub:.0e}", f"{t_mem:.1f}",
                 f"{mem.inertia_:.6g}", f"{mem.inertia_ / n_sub:.4f}",
                 f"gap {sub.inertia_ / mem.inertia_ - 1:+.2e}, same medoids: "
                 f"{sub.medoid_indices_.tolist() == mem.medoid_indices_.tolist()}", ""))
    rows.append((f"CLARA in memory (keep_best, default), {n_sub:.0e}", f"{t_kb:.1f}",
                 f"{mem_kb.inertia_:.6g}", f"{mem_kb.inertia_ / n_sub:.4f}",
                 f"gap {sub.inertia_ / mem_kb.inertia_ - 1:+.2%}", ""))
    from sklearn.metrics import adjusted_rand_score

    from clusterkit import PPP
    from clusterkit.dask import DaskPPP
    t = time.perf_counter()
    pbig = DaskPPP().fit(X)
    t_pbig = time.perf_counter() - t
    worker_peaks = client.run(_peak_rss_mib)
    rows.append((f"DaskPPP, n = {args.n:.0e}", f"{t_pbig:.1f}", f"{pbig.n_clusters_} clusters",
                 "", f"{_peak_rss_mib():.0f}",
                 " / ".join(f"{v:.0f}" for v in worker_peaks.values())))
    t = time.perf_counter()
    psub = DaskPPP().fit(Xs)
    t_psub = time.perf_counter() - t
    t = time.perf_counter()
    pmem = PPP().fit(Xm)
    t_pmem = time.perf_counter() - t
    ari = adjusted_rand_score(psub.labels_.compute(), pmem.labels_)
    rows.append((f"DaskPPP, first {n_sub:.0e} rows", f"{t_psub:.1f}",
                 f"{psub.n_clusters_} clusters", "", f"ARI vs in-memory PPP {ari:.4f}", ""))
    rows.append((f"PPP in memory, {n_sub:.0e}", f"{t_pmem:.1f}", f"{pmem.n_clusters_} clusters",
                 "", "", ""))
    print(f"DaskCLARA, d = 10, k = {args.k}, LocalCluster({args.workers} workers x 1 thread), "
          f"chunks of {args.chunk_rows} rows")
    table(["run", "time s", "loss", "mean distance", "client peak RSS MiB / note",
           "worker peak RSS MiB"], rows)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
