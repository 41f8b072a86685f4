"""Hierarchical community detection: bottom-up vs top-down vs Paris vs Louvain.

Three parts, each printing a table:

1. grid   The main synthetic experiment of Dreveton, Kuroda, Grossglauser and Thiran:
          depth-3 binary HSBM, 200 nodes per bottom community (N = 1600), edge probability
          a_l log(N) / N with a_0 = 40, a_3 = 100 and a grid over a_1 < a_2. Per level:
          matched accuracy of bottom-up (AgglomerativeCommunities) and top-down
          (DivisiveCommunities), averaged over --samples graphs per point, the exact-recovery
          rates, and the Chernoff-Hellinger divergence of the level (``*`` where it exceeds 1,
          i.e. where theory says exact recovery is possible). Both methods are given the true
          number of bottom communities (8): see the note printed with the table.
2. peers  The same kind of graphs at a few grid points, with scikit-network's Paris (cut
          straight into the true number of communities of each level) and networkx's
          Louvain levels (the level whose number of communities is closest to the truth):
          accuracy per level and median fit time.
3. scale  HSBM with N = 100 000 nodes and mean degree about 20: fit time (median over
          alternating repeats) and peak memory of each method, every fit in a fresh
          process.

Run from the repository root (after building the extensions)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_community.py
    python benchmarks/bench_community.py --parts grid --samples 5 --step 5 --figure grid.png

4. degree  Where the Bethe-Hessian step starts to fail on degree-corrected HSBMs
          (``make_hsbm(theta=...)``: Pareto propensities of tail index 3, 2, 1.5): sparser
          graphs, heavier tails, unbalanced community sizes; bottom-up and top-down,
          per-level accuracy and the number of bottom communities found, with and
          without the degree-corrected embedding (``degree_corrected=True``: the
          Bethe-Hessian at r = zeta_p of Dall'Amico, Couillet and Tremblay).
5. side   Every peer side by side at ``--sizes`` nodes (default 1e4,1e5,1e6; depth-3
          binary HSBM, mean degree 20, ``--theta`` for a degree-corrected one): clusterkit
          bottom-up (also with ``degree_corrected=True``: "bottom-up zeta") and top-down,
          scikit-network Paris and LouvainHierarchy, igraph's multilevel
          (``community_multilevel(return_levels=True)``), leidenalg + the clusterkit
          density linkage over its partition. Per-level accuracy, Dasgupta cost
          (normalised: divided by total edge weight x N), fit time (median over alternating
          repeats, each fit in a fresh process) and peak memory above the loaded graph.
6. real   Dasgupta cost of every method's tree on the real graphs that ship with
          networkx and scikit-network.

Peers are optional: a part whose peer is not installed says so and goes on.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from clusterkit.community import (  # noqa: E402
    AgglomerativeCommunities,
    DivisiveCommunities,
    chernoff_hellinger_levels,
    hierarchy_scores,
)
from clusterkit.datasets import make_hsbm  # noqa: E402

DEPTH, BRANCHING, PER_COMMUNITY, A0, A3 = 3, 2, 200, 40.0, 100.0
TRUE_K = [2, 4, 8]


def _levels_pred(model):
    """Cut into the true number of communities of every level (or into all the bottom
    communities found, when fewer were found)."""
    return [model.cut(min(k, model.n_communities_)) for k in TRUE_K]


def fit_bottom_up(A, seed, n_communities=None):
    model = AgglomerativeCommunities(n_communities=n_communities, random_state=seed).fit(A)
    return _levels_pred(model), {"K": model.n_communities_}


def fit_top_down(A, seed, n_communities=None):
    model = DivisiveCommunities(n_communities=n_communities, random_state=seed).fit(A)
    return _levels_pred(model), {"K": model.n_communities_,
                                 "inversions": model.n_inversions_}


def fit_paris(A, seed):
    import scipy.sparse as sp
    from sknetwork.hierarchy import Paris, cut_straight

    B = sp.csr_matrix(A)
    B.indices = B.indices.astype(np.int32)
    B.indptr = B.indptr.astype(np.int32)
    dendrogram = Paris().fit_predict(B)
    return [cut_straight(dendrogram, n_clusters=k) for k in TRUE_K], {}


def fit_louvain(A, seed):
    import networkx as nx

    G = nx.from_scipy_sparse_array(A)
    parts = list(nx.community.louvain_partitions(G, seed=seed))
    out = []
    for k in TRUE_K:
        best = min(parts, key=lambda p: (abs(len(p) - k), -len(p)))
        lab = np.empty(A.shape[0], dtype=np.intp)
        for c, members in enumerate(best):
            lab[list(members)] = c
        out.append(lab)
    return out, {}


METHODS = {"bottom-up": fit_bottom_up, "top-down": fit_top_down, "Paris": fit_paris,
           "Louvain": fit_louvain}


def grid_points(step):
    a1s = np.arange(45, 95, step, dtype=float)
    a2s = np.arange(50, 100, step, dtype=float)
    return [(float(a1), float(a2)) for a1 in a1s for a2 in a2s if a1 < a2]


def sample(a1, a2, s):
    seed = int(1000 * a1 + 10 * a2) * 100 + s
    return make_hsbm(DEPTH, BRANCHING, PER_COMMUNITY, p=[A0, a1, a2, A3], scale="log",
                     random_state=seed)


def run_point(a1, a2, methods, n_samples, n_communities=None):
    acc = {m: np.zeros((n_samples, DEPTH)) for m in methods}
    exact = {m: np.zeros((n_samples, DEPTH), dtype=bool) for m in methods}
    times = {m: [] for m in methods}
    info = {m: [] for m in methods}
    for s in range(n_samples):
        A, levels = sample(a1, a2, s)
        for m in methods:
            t0 = time.perf_counter()
            if m in ("bottom-up", "top-down"):
                pred, extra = METHODS[m](A, s, n_communities)
            else:
                pred, extra = METHODS[m](A, s)
            times[m].append(time.perf_counter() - t0)
            info[m].append(extra)
            sc = hierarchy_scores(levels[1:], pred)
            acc[m][s] = sc["accuracy"]
            exact[m][s] = sc["exact"]
    return acc, exact, times, info


def part_grid(args):
    if args.points:
        points = [tuple(float(x) for x in pt.split(",")) for pt in args.points.split()]
    else:
        points = grid_points(args.step)
    methods = ["bottom-up", "top-down"]
    print(f"\n## 1. Paper grid: depth-3 binary HSBM, {PER_COMMUNITY} nodes per bottom "
          f"community (N = {PER_COMMUNITY * 8}), a_0 = {A0:g}, a_3 = {A3:g}, "
          f"{len(points)} points x {args.samples} samples")
    given = ("both methods estimate the number of bottom communities (their defaults)"
             if args.n_communities is None else
             f"both methods are given n_communities={args.n_communities}")
    print(f"{given}; a tree with fewer than k communities is cut into all it has.\nCH_l: "
          f"Chernoff-Hellinger divergence of level l (bottom-up threshold); '*' = CH_l > 1, "
          f"exact recovery possible.\nacc: matched accuracy (mean over samples); ex: "
          f"exact-recovery rate;\nK: mean number of bottom communities found; TD inv: mean "
          f"number of inversions in the top-down tree.\n")
    head = ("| a1 | a2 | CH_1 | CH_2 | CH_3 | BU acc 1 | BU acc 2 | BU acc 3 | TD acc 1 | "
            "TD acc 2 | TD acc 3 | BU ex 1/2/3 | TD ex 1/2/3 | K BU/TD | TD inv |")
    print(head)
    print("|" + "---|" * 15)
    rows = []
    t_start = time.perf_counter()
    for a1, a2 in points:
        bu_ch, td_ch = chernoff_hellinger_levels([A0, a1, a2, A3], depth=DEPTH,
                                                 branching=BRANCHING)
        acc, exact, times, info = run_point(a1, a2, methods, args.samples,
                                            args.n_communities)
        row = dict(a1=a1, a2=a2, ch_bu=bu_ch.tolist(), ch_td=td_ch.tolist(),
                   k_bu=float(np.mean([i["K"] for i in info["bottom-up"]])),
                   k_td=float(np.mean([i["K"] for i in info["top-down"]])),
                   inversions=float(np.mean([i["inversions"] for i in info["top-down"]])),
                   acc={m: acc[m].mean(axis=0).tolist() for m in methods},
                   exact={m: exact[m].mean(axis=0).tolist() for m in methods},
                   time={m: float(np.median(times[m])) for m in methods})
        rows.append(row)
        ch = " | ".join(f"{c:.2f}{'*' if c > 1 else ''}" for c in bu_ch)
        bu = " | ".join(f"{x:.3f}" for x in row["acc"]["bottom-up"])
        td = " | ".join(f"{x:.3f}" for x in row["acc"]["top-down"])
        ebu = "/".join(f"{x:.1f}" for x in row["exact"]["bottom-up"])
        etd = "/".join(f"{x:.1f}" for x in row["exact"]["top-down"])
        print(f"| {a1:g} | {a2:g} | {ch} | {bu} | {td} | {ebu} | {etd} | "
              f"{row['k_bu']:.1f}/{row['k_td']:.1f} | {row['inversions']:.1f} |", flush=True)
    # the targets
    worse = [(r["a1"], r["a2"], lvl + 1,
              round(r["acc"]["bottom-up"][lvl] - r["acc"]["top-down"][lvl], 4),
              round(r["ch_bu"][lvl], 2))
             for r in rows for lvl in range(DEPTH)
             if r["acc"]["bottom-up"][lvl] < r["acc"]["top-down"][lvl] - 1e-12]
    allowed = [(r["a1"], r["a2"], lvl + 1) for r in rows for lvl in range(DEPTH)
               if r["ch_bu"][lvl] > 1]
    missed = [(a1, a2, lvl) for a1, a2, lvl in allowed
              if next(r for r in rows if r["a1"] == a1 and r["a2"] == a2)
              ["exact"]["bottom-up"][lvl - 1] < 1]
    td_gap = [(r["a1"], r["a2"], lvl + 1) for r in rows for lvl in range(DEPTH)
              if r["ch_td"][lvl] <= 1 < r["ch_bu"][lvl]]
    print(f"\nbottom-up less accurate than top-down at {len(worse)} of "
          f"{len(rows) * DEPTH} (point, level) cells; (a1, a2, level, accuracy difference, "
          f"CH of the level): {worse}")
    exact_worse = [(r["a1"], r["a2"], lvl + 1) for r in rows for lvl in range(DEPTH)
                   if r["exact"]["bottom-up"][lvl] < r["exact"]["top-down"][lvl]]
    exact_better = [(r["a1"], r["a2"], lvl + 1) for r in rows for lvl in range(DEPTH)
                    if r["exact"]["bottom-up"][lvl] > r["exact"]["top-down"][lvl]]
    print(f"exact-recovery rate: bottom-up higher at {exact_better}, lower at {exact_worse}")
    print(f"theory allows exact recovery at {len(allowed)} cells; bottom-up exact in every "
          f"sample at {len(allowed) - len(missed)} of them; missed: {missed}")
    print(f"cells where bottom-up's threshold is met but top-down's averaged one is not: "
          f"{td_gap}")
    bu_t = np.median([r["time"]["bottom-up"] for r in rows])
    td_t = np.median([r["time"]["top-down"] for r in rows])
    print(f"median fit time per graph: bottom-up {bu_t:.2f} s, top-down {td_t:.2f} s; "
          f"part took {time.perf_counter() - t_start:.0f} s")
    if args.figure:
        draw_grid(rows, args.figure, "acc", "matched accuracy", vmin=0.5)
        root, ext = os.path.splitext(args.figure)
        draw_grid(rows, root + "_exact" + ext, "exact", "exact-recovery rate", vmin=0.0)
    return rows


def draw_grid(rows, path, key, label, vmin):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no figure)")
        return
    a1s = sorted({r["a1"] for r in rows})
    a2s = sorted({r["a2"] for r in rows})
    half = (a1s[1] - a1s[0]) / 2 if len(a1s) > 1 else 2.5
    fig, axes = plt.subplots(2, DEPTH, figsize=(4 * DEPTH, 7), constrained_layout=True)
    for i, m in enumerate(["bottom-up", "top-down"]):
        for lvl in range(DEPTH):
            grid = np.full((len(a2s), len(a1s)), np.nan)
            for r in rows:
                grid[a2s.index(r["a2"]), a1s.index(r["a1"])] = r[key][m][lvl]
            ax = axes[i, lvl]
            im = ax.imshow(grid, origin="lower", vmin=vmin, vmax=1.0, cmap="viridis",
                           extent=[a1s[0] - half, a1s[-1] + half, a2s[0] - half,
                                   a2s[-1] + half],
                           aspect="auto")
            ok = [(r["a1"], r["a2"]) for r in rows if r["ch_bu"][lvl] > 1]
            if ok:
                ax.scatter(*zip(*ok), marker="+", color="white", s=30,
                           label="CH > 1 (exact possible)")
            ax.set_title(f"{m}, level {lvl + 1}")
            ax.set_xlabel("a_1")
            ax.set_ylabel("a_2")
    fig.colorbar(im, ax=axes, label=label, shrink=0.8)
    axes[0, 0].legend(loc="lower right", fontsize=7, facecolor="0.5")
    fig.savefig(path, dpi=120)
    print(f"figure written to {path}")


def part_peers(args):
    points = [(45.0, 90.0), (55.0, 80.0), (65.0, 90.0), (75.0, 85.0)]
    methods = ["bottom-up", "top-down"]
    for name, mod in (("Paris", "sknetwork"), ("Louvain", "networkx")):
        try:
            __import__(mod)
            methods.append(name)
        except ImportError:
            print(f"({name} skipped: {mod} is not installed)")
    print(f"\n## 2. Peers on the same graphs ({args.samples} samples per point; Paris cut "
          f"straight into 2/4/8 clusters, Louvain: the networkx level closest to 2/4/8)\n")
    print("| a1 | a2 | method | acc 1 | acc 2 | acc 3 | exact 1/2/3 | median time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for a1, a2 in points:
        acc, exact, times, _ = run_point(a1, a2, methods, args.samples)
        for m in methods:
            a = acc[m].mean(axis=0)
            e = "/".join(f"{x:.1f}" for x in exact[m].mean(axis=0))
            print(f"| {a1:g} | {a2:g} | {m} | {a[0]:.3f} | {a[1]:.3f} | {a[2]:.3f} | {e} | "
                  f"{np.median(times[m]):.2f} |", flush=True)


CHILD = r"""
import json, sys, time
import numpy as np, scipy.sparse as sp
sys.path.insert(0, {root!r})
A = sp.load_npz({path!r}).tocsr()
def status_mb(field):
    # VmHWM is the peak of this process image (ru_maxrss would carry the parent's peak
    # across fork + exec)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
def rss_mb():
    return status_mb("VmRSS")
method = {method!r}
if method == "Paris":
    from sknetwork.hierarchy import Paris
    B = sp.csr_matrix(A); B.indices = B.indices.astype(np.int32)
    B.indptr = B.indptr.astype(np.int32)
    base = rss_mb(); t0 = time.perf_counter(); Paris().fit(B)
else:
    from clusterkit.community import AgglomerativeCommunities, DivisiveCommunities
    est = {{"bottom-up": AgglomerativeCommunities,
            "top-down": DivisiveCommunities}}[method](random_state=0)
    A = sp.csr_array(A)
    base = rss_mb(); t0 = time.perf_counter(); est.fit(A)
elapsed = time.perf_counter() - t0
peak = status_mb("VmHWM")
extra = {{}} if method == "Paris" else {{"K": int(est.n_communities_)}}
print(json.dumps(dict(time=elapsed, peak_mb=peak, extra_mb=peak - base, **extra)))
"""


def part_scale(args):
    n_per = 100_000 // 8
    A, levels = make_hsbm(3, 2, n_per, p=[1, 3, 9, 27], mean_degree=20.0, random_state=0)
    N = A.shape[0]
    print(f"\n## 3. Scale: HSBM depth 3, binary, N = {N}, {A.nnz // 2} edges, mean degree "
          f"{A.nnz / N:.1f} (p proportional to 1:3:9:27); default parameters (K estimated); "
          f"{args.repeats} alternating repeats, each fit in a fresh process\n")
    methods = ["bottom-up", "top-down"]
    try:
        import sknetwork  # noqa: F401
        methods.append("Paris")
    except ImportError:
        print("(Paris skipped: scikit-network is not installed)")
    import scipy.sparse as sp
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = {m: [] for m in methods}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "hsbm.npz")
        sp.save_npz(path, sp.csr_matrix(A))
        for _ in range(args.repeats):
            for m in methods:
                code = CHILD.format(root=root, path=path, method=m)
                out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True).stdout.strip().splitlines()[-1]
                res[m].append(json.loads(out))
                print(f"  {m}: {res[m][-1]}", flush=True)
    print("\n| method | median fit time (s) | all times (s) | peak RSS (MB) | "
          "RSS above the loaded graph (MB) |")
    print("|---|---|---|---|---|")
    for m in methods:
        t = [r["time"] for r in res[m]]
        print(f"| {m} | {np.median(t):.1f} | {', '.join(f'{x:.1f}' for x in t)} | "
              f"{max(r['peak_mb'] for r in res[m]):.0f} | "
              f"{max(r['extra_mb'] for r in res[m]):.0f} |")
    if "Paris" in res:
        ratio = np.median([p["time"] / b["time"] for p, b in zip(res["Paris"],
                                                                 res["bottom-up"])])
        print(f"\nmedian ratio Paris / bottom-up fit time: {ratio:.1f}")
    # quality of the default (estimated K) bottom-up fit at this scale
    m = AgglomerativeCommunities(random_state=0).fit(A)
    if m.n_communities_ >= 8:
        sc = hierarchy_scores(levels[1:], [m.cut(k) for k in TRUE_K])
        print(f"bottom-up at this scale: K estimated = {m.n_communities_}, accuracy per "
              f"level {np.round(sc['accuracy'], 4).tolist()}")
    else:
        print(f"bottom-up at this scale: K estimated = {m.n_communities_}")


# ---------------------------------------------------------------------------------------
# 4. degree heterogeneity

def part_degree(args):
    print("\n## 4. Degree-corrected HSBM: depth 3, binary, p proportional to 1:3:9:27; "
          f"{args.samples} samples per cell; sizes 'balanced' = 8 x 400, 'unbalanced' = "
          "100..700 nodes per bottom community (N = 3200 both)\n")
    print("| mean degree | tail index | sizes | max degree | BU K | BU acc 1/2/3 | BU-zeta K | "
          "BU-zeta acc 1/2/3 | TD K | TD acc 1/2/3 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    methods = {"bottom-up": AgglomerativeCommunities,
               "bottom-up zeta": lambda **kw: AgglomerativeCommunities(degree_corrected=True,
                                                                     **kw),
               "top-down": DivisiveCommunities}
    sizes = {"balanced": 400, "unbalanced": [100, 700, 200, 600, 300, 500, 400, 400]}
    for deg in (5.0, 10.0, 20.0):
        for theta in (None, 3.0, 2.0, 1.5):
            for size_name, n_per in sizes.items():
                acc = {m: [] for m in methods}
                ks = {m: [] for m in acc}
                dmax = []
                for s in range(args.samples):
                    A, levels = make_hsbm(3, 2, n_per, p=[1, 3, 9, 27], mean_degree=deg,
                                          theta=theta, random_state=1000 + s)
                    dmax.append(int(np.diff(A.indptr).max()))
                    for m, Est in methods.items():
                        model = Est(random_state=s).fit(A)
                        pred = [model.cut(min(k, model.n_communities_)) for k in TRUE_K]
                        acc[m].append(hierarchy_scores(levels[1:], pred)["accuracy"])
                        ks[m].append(model.n_communities_)
                cells = []
                for m in acc:
                    a = np.mean(acc[m], axis=0)
                    cells.append(f"{np.mean(ks[m]):.1f} | " + "/".join(f"{x:.3f}" for x in a))
                tail = "none" if theta is None else f"{theta:g}"
                print(f"| {deg:g} | {tail} | {size_name} | {int(np.median(dmax))} | "
                      + " | ".join(cells) + " |", flush=True)


# ---------------------------------------------------------------------------------------
# 5. every peer side by side, in fresh processes

SIDE_CHILD = r"""
import json, sys, time
import numpy as np, scipy.sparse as sp
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
A = sp.load_npz({path!r}).tocsr()
def status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
from bench_community import SIDE_METHODS
sys.setrecursionlimit(1_000_000)  # scikit-network's LouvainHierarchy recurses per level
import threading
threading.stack_size(512 * 2 ** 20)
result = {{}}
def run():
    base = status_mb("VmRSS")
    t0 = time.perf_counter()
    out = SIDE_METHODS[{method!r}](A)
    elapsed = time.perf_counter() - t0
    result.update(out=out, elapsed=elapsed, peak=status_mb("VmHWM"), base=base)
t = threading.Thread(target=run)
t.start()
t.join()
out = result["out"]
np.save({out!r}, np.asarray(out["levels"]))
# "fit_time" leaves out converting the graph to the peer's format and scoring the tree
print(json.dumps(dict(time=out.get("fit_time", result["elapsed"]),
                      convert=result["elapsed"] - out.get("fit_time", result["elapsed"]),
                      extra_mb=result["peak"] - result["base"], cost=out["cost"])))
"""


def _nested_cost(A, partitions):
    """Normalised Dasgupta cost of the tree of nested partitions (finest first): an edge
    inside a finest community costs that community's size, else the size of the lowest
    coarser community holding both ends, else N."""
    A = sp_module().triu(A, k=1).tocoo()
    N = A.shape[0]
    cost = np.full(A.nnz, float(N))
    done = np.zeros(A.nnz, dtype=bool)
    for lab in partitions:
        lab = np.asarray(lab)
        same = (lab[A.row] == lab[A.col]) & ~done
        size = np.bincount(lab)[lab[A.row[same]]]
        cost[same] = size
        done |= same
    return float((A.data * cost).sum() / (A.data.sum() * N))


def sp_module():
    import scipy.sparse as sp
    return sp


def _ck_cost(A, model):
    from clusterkit.community import dasgupta_cost

    return float(dasgupta_cost(A, model.labels_, model.linkage_)
                 / (sp_module().triu(A, k=1).sum() * A.shape[0]))


def side_bottom_up(A, **params):
    t0 = time.perf_counter()
    m = AgglomerativeCommunities(random_state=0, **params).fit(A)
    fit_time = time.perf_counter() - t0
    return {"levels": _levels_pred(m), "cost": _ck_cost(A, m), "fit_time": fit_time}


def side_bottom_up_zeta(A):
    return side_bottom_up(A, degree_corrected=True)


def side_top_down(A):
    t0 = time.perf_counter()
    m = DivisiveCommunities(random_state=0).fit(A)
    fit_time = time.perf_counter() - t0
    return {"levels": _levels_pred(m), "cost": _ck_cost(A, m), "fit_time": fit_time}


def _sk(A):
    B = sp_module().csr_matrix(A)
    B.indices = B.indices.astype(np.int32)
    B.indptr = B.indptr.astype(np.int32)
    return B


def _linkage_cost(A, Z):
    """Normalised Dasgupta cost of a scipy linkage over the nodes: each merge pays its
    size for every edge between its two sides (the smaller side's edges are scanned,
    O(edges log N))."""
    A = sp_module().csr_array(A)
    N = A.shape[0]
    owner = np.arange(N)
    members = [np.array([i]) for i in range(N)]
    cost = 0.0
    for t, (a, b) in enumerate(Z[:, :2].astype(np.int64)):
        small, large = (a, b) if members[a].size <= members[b].size else (b, a)
        nodes = members[small]
        nbr = np.concatenate([A.indices[A.indptr[i]:A.indptr[i + 1]] for i in nodes])
        wts = np.concatenate([A.data[A.indptr[i]:A.indptr[i + 1]] for i in nodes])
        cost += float(wts[owner[nbr] == large].sum()) * (nodes.size + members[large].size)
        merged = np.concatenate([members[large], nodes])
        owner[merged] = N + t
        members.append(merged)
        members[a] = members[b] = None
    return cost / (float(A.sum()) / 2.0 * N)


def _sk_dendrogram(A, Est):
    from sknetwork.hierarchy import cut_straight

    B = _sk(A)
    t0 = time.perf_counter()
    D = Est().fit_predict(B)
    fit_time = time.perf_counter() - t0
    return {"levels": [cut_straight(D, n_clusters=k) for k in TRUE_K],
            "cost": _linkage_cost(A, D), "fit_time": fit_time}


def side_paris(A):
    from sknetwork.hierarchy import Paris

    return _sk_dendrogram(A, Paris)


def side_louvain_hierarchy(A):
    from sknetwork.hierarchy import LouvainHierarchy

    return _sk_dendrogram(A, LouvainHierarchy)


def _igraph(A):
    import igraph as ig

    U = sp_module().triu(A, k=1).tocoo()
    return ig.Graph(n=A.shape[0], edges=np.c_[U.row, U.col])


def side_igraph(A):
    import random

    random.seed(0)
    g = _igraph(A)
    t0 = time.perf_counter()
    levels = [np.asarray(c.membership) for c in g.community_multilevel(return_levels=True)]
    fit_time = time.perf_counter() - t0
    pred = [min(levels, key=lambda lab: (abs(lab.max() + 1 - k), -lab.max()))
            for k in TRUE_K]
    return {"levels": pred, "cost": _nested_cost(A, levels), "fit_time": fit_time}


def side_leiden(A):
    import leidenalg

    g = _igraph(A)
    t0 = time.perf_counter()
    part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, seed=0)
    m = AgglomerativeCommunities(base=np.asarray(part.membership)).fit(A)
    fit_time = time.perf_counter() - t0
    return {"levels": _levels_pred(m), "cost": _ck_cost(A, m), "fit_time": fit_time}


SIDE_METHODS = {"bottom-up": side_bottom_up, "bottom-up zeta": side_bottom_up_zeta,
                "top-down": side_top_down,
                "Paris": side_paris, "LouvainHierarchy": side_louvain_hierarchy,
                "igraph multilevel": side_igraph, "Leiden + linkage": side_leiden}
SIDE_NEEDS = {"Paris": "sknetwork", "LouvainHierarchy": "sknetwork",
              "igraph multilevel": "igraph", "Leiden + linkage": "leidenalg"}


def part_side(args):
    import scipy.sparse as sp

    methods = []
    wanted = args.methods.split(",") if args.methods else list(SIDE_METHODS)
    for m in wanted:
        try:
            if m in SIDE_NEEDS:
                __import__(SIDE_NEEDS[m])
            methods.append(m)
        except ImportError:
            print(f"({m} skipped: {SIDE_NEEDS[m]} is not installed)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bench = os.path.dirname(os.path.abspath(__file__))
    slow = set()
    for N in [int(float(x)) for x in args.sizes.split(",")]:
        A, levels = make_hsbm(3, 2, N // 8, p=[1, 3, 9, 27], mean_degree=20.0,
                              theta=args.theta, random_state=0)
        repeats = args.repeats if N <= 100_000 else 1
        print(f"\n## 5. Side by side: HSBM N = {A.shape[0]}, {A.nnz // 2} edges, "
              f"theta = {args.theta}, {repeats} alternating repeat(s), fresh process per "
              f"fit\n")
        res = {m: [] for m in methods}
        failed = set()
        run = [m for m in methods if m not in slow]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "g.npz")
            sp.save_npz(path, sp.csr_matrix(A))
            for _ in range(repeats):
                for m in run:
                    out = os.path.join(tmp, "levels.npy")
                    code = SIDE_CHILD.format(root=root, bench=bench, path=path, method=m,
                                             out=out)
                    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                          text=True)
                    if proc.returncode != 0:
                        print(f"  {m} failed: {proc.stderr.strip().splitlines()[-1:]}")
                        failed.add(m)
                        continue
                    r = json.loads(proc.stdout.strip().splitlines()[-1])
                    r["acc"] = hierarchy_scores(levels[1:], list(np.load(out)))["accuracy"]
                    res[m].append(r)
        print("| method | acc 1 | acc 2 | acc 3 | Dasgupta (norm.) | median time (s) | "
              "times (s) | + conversion, scoring (s) | peak MB above graph |")
        print("|---|---|---|---|---|---|---|---|---|")
        for m in methods:
            if not res[m]:
                why = ("failed" if m in failed
                       else f"not run (slower than {args.slow:g} s at the previous size)")
                print(f"| {m} | {why} | | | | | | | |")
                continue
            t = [r["time"] for r in res[m]]
            a = res[m][0]["acc"]
            conv = np.median([r.get("convert", 0.0) for r in res[m]])
            print(f"| {m} | {a[0]:.3f} | {a[1]:.3f} | {a[2]:.3f} | {res[m][0]['cost']:.4f} "
                  f"| {np.median(t):.2f} | {', '.join(f'{x:.2f}' for x in t)} | {conv:.2f} | "
                  f"{max(r['extra_mb'] for r in res[m]):.0f} |", flush=True)
            if np.median(t) > args.slow:
                slow.add(m)
        if "bottom-up" in res and res["bottom-up"]:
            bu = np.median([r["time"] for r in res["bottom-up"]])
            print("\nmedian time / bottom-up: " + ", ".join(
                f"{m} {np.median([r['time'] for r in res[m]]) / bu:.2f}"
                for m in methods if res[m]))


def part_real(args):
    import networkx as nx
    import scipy.sparse as sp

    graphs = {"karate (nx)": nx.karate_club_graph(),
              "les miserables (nx)": nx.les_miserables_graph(),
              "florentine families (nx)": nx.florentine_families_graph(),
              "davis southern women (nx)": nx.davis_southern_women_graph()}
    try:
        import sknetwork.data as skd

        for name in ("painters", "star_wars"):
            g = getattr(skd, name)()
            B = g if sp.issparse(g) else getattr(g, "adjacency", None)
            if B is None:
                B = g.biadjacency
            if B.shape[0] != B.shape[1]:
                B = sp.bmat([[None, B], [B.T, None]])
            B = ((B + B.T) > 0).astype(np.float64)
            graphs[f"{name} (sknetwork)"] = sp.csr_array(B)
    except ImportError:
        pass
    methods = [m for m in SIDE_METHODS
               if m not in SIDE_NEEDS or _importable(SIDE_NEEDS[m])]
    print("\n## 6. Real graphs: normalised Dasgupta cost of each tree (lower is better; "
          "unweighted adjacency)\n")
    print("| graph | N | edges | " + " | ".join(methods) + " |")
    print("|---|---|---|" + "---|" * len(methods))
    for name, G in graphs.items():
        A = G if sp.issparse(G) else nx.to_scipy_sparse_array(G, weight=None,
                                                               dtype=np.float64)
        A = sp.csr_array(A)
        A.setdiag(0)
        A.eliminate_zeros()
        cells = []
        for m in methods:
            try:
                cells.append(f"{SIDE_METHODS[m](A)['cost']:.4f}")
            except Exception as exc:  # a peer's failure is a table entry, not a crash
                cells.append(f"failed ({type(exc).__name__})")
        print(f"| {name} | {A.shape[0]} | {A.nnz // 2} | " + " | ".join(cells) + " |",
              flush=True)


def _importable(mod):
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="grid,peers,scale")
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--step", type=float, default=10.0, help="grid step of a_1, a_2")
    parser.add_argument("--repeats", type=int, default=2, help="scale part repeats")
    parser.add_argument("--figure", default=None, help="write the grid figure (png)")
    parser.add_argument("--points", default=None,
                        help='explicit (a1, a2) points instead of the grid: "42,50 43,47"')
    parser.add_argument("--n-communities", type=int, default=None,
                        help="give both methods this number of bottom communities in the "
                             "grid (default: estimated, as the methods do by default)")
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="sizes of the side part")
    parser.add_argument("--methods", default=None,
                        help="side part: comma-separated subset of the methods")
    parser.add_argument("--theta", type=float, default=None,
                        help="tail index of the degree correction in the side part")
    parser.add_argument("--slow", type=float, default=40.0,
                        help="side part: a method slower than this (s) at one size is not "
                             "run at the next")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    if "grid" in parts:
        part_grid(args)
    if "peers" in parts:
        part_peers(args)
    if "scale" in parts:
        part_scale(args)
    if "degree" in parts:
        part_degree(args)
    if "side" in parts:
        part_side(args)
    if "real" in parts:
        part_real(args)


if __name__ == "__main__":
    main()
