"""
One batch instead of a distance matrix: OneBatchPAM
===================================================

100 000 points would need an 80 GB float64 distance matrix. :class:`~clusterkit.OneBatchPAM`
draws one batch of about ``100 log(n k)`` points and computes the distances of every point
to the batch (100 000 x 1 611 here: 0.6 GB in float32, the dtype of the data);
FasterPAM's swaps then try **every** point as a medoid, each judged on the batch; a
refinement on all the data finally moves every medoid to the best of a few candidates of
its own cluster. CLARA, for comparison, clusters samples on their own small matrices.
"""
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterkit import CLARA, OneBatchPAM

n, k = 100_000, 100
X, _ = make_blobs(n, n_features=2, centers=k, cluster_std=2.0, center_box=(-50, 50),
                  random_state=0)
X = X.astype(np.float32)

runs = {
    "CLARA (defaults)": CLARA(k, random_state=0),
    "OneBatchPAM, refine=False": OneBatchPAM(k, refine=False, random_state=0),
    "OneBatchPAM (defaults)": OneBatchPAM(k, random_state=0),
}
seconds = {}
for name, model in runs.items():
    t0 = time.perf_counter()
    model.fit(X)
    seconds[name] = time.perf_counter() - t0
    print(f"{name:28s} loss {model.inertia_:.7g}  {seconds[name]:.1f} s")
best = runs["OneBatchPAM (defaults)"]
print(f"batch: {len(best.batch_indices_)} points; loss before the refinement "
      f"{best.search_loss_:.7g}, after {best.n_refine_rounds_} rounds {best.inertia_:.7g}")

# %%
# Left: the clustering, with the batch (small black dots) and the medoids (red crosses).
# Right: each run's loss on all the points, relative to the lowest, and its time.
fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.8), width_ratios=(1, 1.1))
show = np.random.default_rng(0).choice(n, 20_000, replace=False)
ax.scatter(X[show, 0], X[show, 1], c=best.labels_[show], s=2, cmap="tab20", alpha=0.5)
ax.scatter(*X[best.batch_indices_].T, s=1, c="k", label="batch")
ax.scatter(*best.cluster_centers_.T, marker="x", s=60, c="C3", label="medoids")
ax.set_title(f"OneBatchPAM, n = {n:,}, k = {k}\n(20 000 points shown)")
ax.legend(loc="lower left", framealpha=0.9)
ax.set_aspect("equal")

names = list(runs)
lowest = min(m.inertia_ for m in runs.values())
gaps = [100 * (runs[m].inertia_ / lowest - 1) for m in names]
bars = bx.barh(names, gaps, color=["C0", "C1", "C2"])
for bar, name in zip(bars, names):
    bx.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
            f"  +{bar.get_width():.2f}%, {seconds[name]:.1f} s", va="center")
bx.set_xlim(0, max(gaps) * 1.6 + 0.1)
bx.invert_yaxis()
bx.set_xlabel("loss above the lowest of the three (%)")
bx.set_title("loss on all points, and time")
fig.tight_layout()

# %%
# Run as a script, ``python plot_onebatch.py --save DIR`` writes the figure to
# DIR/plot_onebatch.png; without ``--save`` it is shown (when matplotlib can open a window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0], "plot_onebatch.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
