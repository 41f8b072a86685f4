"""
CLARA on a Dask array
=====================

DaskCLARA draws the same keep-best samples as in-memory CLARA on the client, clusters each
one as a task and judges it in one pass over the chunks, then refines the medoids in passes
over the chunks; its loss is in-memory CLARA's (within 0.5%). Needs
``pip install "clusterkit[dask]"``.
"""
import sys
from pathlib import Path

import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterkit import CLARA
from clusterkit.dask import DaskCLARA

X, _ = make_blobs(200_000, n_features=10, centers=20, cluster_std=2.0, random_state=0)
Xd = da.from_array(X, chunks=(50_000, 10))
with dask.config.set(scheduler="threads"):
    est = DaskCLARA(20, random_state=0).fit(Xd)
    labels = est.labels_.compute()
mem = CLARA(20, random_state=0).fit(X)
print("DaskCLARA loss", round(est.inertia_, 1), "| in-memory CLARA loss",
      round(mem.inertia_, 1), f"| gap {100 * (est.inertia_ / mem.inertia_ - 1):+.3f}%")
print("same samples:", est.sample_indices_.tolist() == mem.sample_indices_.tolist())
print("cluster sizes:", np.bincount(labels).tolist())

# %%
# The clusters in the first two of the ten features (5 000 random points of the 200 000)
# with the medoids, and the cluster sizes ``labels_`` gives after its chunk-by-chunk
# computation.
shown = np.random.RandomState(0).choice(len(X), 5_000, replace=False)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].scatter(X[shown, 0], X[shown, 1], c=labels[shown], s=3, cmap="tab20")
axes[0].scatter(*X[est.medoid_indices_, :2].T, c="k", marker="x", s=60, label="medoids")
axes[0].set_xlabel("feature 0")
axes[0].set_ylabel("feature 1")
axes[0].legend(loc="upper right")
axes[0].set_title("DaskCLARA, k = 20 (features 0 and 1)")
axes[1].bar(np.arange(20), np.bincount(labels, minlength=20))
axes[1].set_xticks(np.arange(0, 20, 2))
axes[1].set_xlabel("cluster")
axes[1].set_ylabel("points")
axes[1].set_title("cluster sizes (labels_, computed chunk by chunk)")
fig.tight_layout()

# %%
# Run as a script, ``python plot_dask_clara.py --save DIR`` writes the figure to
# DIR/plot_dask_clara.png; without ``--save`` it is shown (when matplotlib can open a
# window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0], "plot_dask_clara.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
