"""DaskCLARA against in-memory CLARA (loss gap, time), and DaskCLARA / DaskPPP at 10^7.

    pip install -e ".[dask,bench]"
    python benchmarks/bench_dask.py                       # n = 10^5 and 10^6, 3 seeds
    python benchmarks/bench_dask.py --scale 10000000      # 10^7 on Dask only, peak memory

Quality table: ``make_blobs(n, n_features=20, centers=100, cluster_std=2, random_state=1)``
at k = 100; in-memory ``CLARA(k)`` (2 OpenMP threads) against ``DaskCLARA(k)`` (defaults)
and the old ``DaskCLARA(k, sampling="independent")`` on a ``LocalCluster`` of 2 worker
processes x 1 thread, the data persisted on the workers in chunks of ``--chunk-rows``.
Every seed runs every contender in turn (alternated); medians over the seeds, and the worst
seed's gap. The gap is DaskCLARA's loss over in-memory CLARA's loss for the same seed.

Scale table (``--scale N``): blobs of d = 20 and 100 centres generated chunk by chunk on
the workers (never on the client, never persisted: every pass regenerates its chunks), on a
fresh cluster so that the peak RSS of the client and of every worker belongs to this fit.
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402


def _peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


class _RssSampler:
    """Peak RSS of this process while the block runs (psutil, every 50 ms)."""

    def __enter__(self):
        import psutil
        self._proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss) / 2**20


def _blobs_chunk(block_info=None, centers=None, d=20):
    loc = block_info[None]["array-location"][0]
    rows = loc[1] - loc[0]
    rng = np.random.default_rng(loc[0])
    lab = rng.integers(len(centers), size=rows)
    return centers[lab] + rng.normal(scale=2.0, size=(rows, d))


def make_dask_blobs(n, d, n_centers, chunk_rows):
    import dask.array as da
    centers = np.random.default_rng(12345).uniform(-10, 10, size=(n_centers, d))
    return da.map_blocks(_blobs_chunk, centers=centers, d=d, dtype=np.float64,
                         chunks=((chunk_rows,) * (n // chunk_rows) +
                                 ((n % chunk_rows,) if n % chunk_rows else ()), (d,)))


def _uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _chunk_rows(args, n):
    return args.chunk_rows or min(max(n // 8, 1), 500_000)


def quality(args, client):
    import dask.array as da
    from distributed import wait
    from sklearn.datasets import make_blobs

    from clusterkit import CLARA
    from clusterkit.dask import DaskCLARA

    k = args.k
    rows = []
    for n in args.n:
        X, _ = make_blobs(n, n_features=20, centers=100, cluster_std=2.0, random_state=1)
        Xd = da.from_array(X, chunks=(_chunk_rows(args, n), 20)).persist()
        wait(Xd)
        runs = {
            "CLARA in memory (defaults)": lambda s: CLARA(k, random_state=s).fit(X),
            "DaskCLARA (defaults)": lambda s: DaskCLARA(k, random_state=s).fit(Xd),
            "DaskCLARA (sampling='independent', the old default)":
                lambda s: DaskCLARA(k, sampling="independent", random_state=s).fit(Xd),
        }
        times = {name: [] for name in runs}
        losses = {name: [] for name in runs}
        rounds = {name: [] for name in runs}
        for seed in range(args.seeds):
            for name, fn in runs.items():
                t0 = time.perf_counter()
                est = fn(seed)
                times[name].append(time.perf_counter() - t0)
                losses[name].append(est.inertia_)
                rounds[name].append(getattr(est, "n_refine_rounds_", 0))
            print(f"  n={n} seed {seed}: " + ", ".join(
                f"{name.split(' (')[0]} {losses[name][-1]:.6g} in {times[name][-1]:.1f} s"
                for name in runs), flush=True)
        ref = np.array(losses["CLARA in memory (defaults)"])
        for name in runs:
            gap = np.array(losses[name]) / ref - 1
            rows.append((f"{n:.0e}", name, f"{statistics.median(times[name]):.1f}",
                         f"{statistics.median(losses[name]) / n:.4f}",
                         f"{np.median(gap):+.2%}", f"{gap[np.argmax(np.abs(gap))]:+.2%}",
                         f"{statistics.median(rounds[name]):g}"))
    print(f"\nLoss gap to in-memory CLARA, d = 20, k = {k}, {args.seeds} seeds, "
          f"LocalCluster({args.workers} worker processes x 1 thread), chunks of n / 8 rows "
          "(or --chunk-rows)")
    table(["n", "run", "time s (median)", "mean distance", "gap (median)",
           "gap (worst seed)", "refinement rounds"], rows)


def scale(args, client):
    from clusterkit.dask import DaskCLARA, DaskPPP

    n = args.scale
    X = make_dask_blobs(n, 20, 100, _chunk_rows(args, n))
    rows = []
    runs = [("DaskCLARA (defaults)", lambda: DaskCLARA(args.k, random_state=0)),
            ("DaskCLARA (sampling='independent')",
             lambda: DaskCLARA(args.k, sampling="independent", random_state=0))]
    if args.ppp:
        runs.append(("DaskPPP", lambda: DaskPPP()))
    for name, make in runs:
        with _RssSampler() as rss:
            t0 = time.perf_counter()
            est = make().fit(X)
            t = time.perf_counter() - t0
        peaks = client.run(_peak_rss_mib)  # since the workers started: the run so far
        loss = (f"{est.inertia_ / n:.4f}" if hasattr(est, "inertia_")
                else f"{est.n_clusters_} clusters")
        rows.append((f"{n:.0e}", name, f"{t:.1f}", loss, f"{rss.peak:.0f}",
                     " / ".join(f"{v:.0f}" for v in peaks.values())))
        print("  ", rows[-1], flush=True)
    print(f"\nScale: n = {n:.0e}, d = 20, k = {args.k}, LocalCluster({args.workers} worker "
          f"processes x 1 thread), chunks of {_chunk_rows(args, n)} rows generated on the "
          "workers")
    table(["n", "run", "time s", "mean distance", "client peak RSS MiB (during the fit)",
           "worker peak RSS MiB (since start, cumulative)"], rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=lambda s: [int(float(v)) for v in s.split(",")],
                    default=[100_000, 1_000_000])
    ap.add_argument("--scale", type=int, default=None,
                    help="run only the scale table at this n (on a fresh cluster)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--ppp", action="store_true", help="add DaskPPP to the scale table")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-rows", type=int, default=None,
                    help="rows per chunk (default: n / 8, at most 500 000)")
    ap.add_argument("--k", type=int, default=100)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    print(f"uptime before: {_uptime()}", flush=True)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        if args.scale:
            scale(args, client)
        else:
            quality(args, client)
    print(f"uptime after: {_uptime()}")


if __name__ == "__main__":
    main()
