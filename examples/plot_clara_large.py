"""
CLARA on data too large for a distance matrix
=============================================

200 000 points would need a 320 GB float64 distance matrix. FasterCLARA clusters samples of
80 + 4k points and judges each sample's medoids on all the data, in chunks; FastCLARANS
searches with random swaps. Both stay within a few hundred MB. (Raise ``n`` to 10^6 to see
the same run take about 20 s.)
"""
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterkit import CLARA, CLARANS

n, k = 200_000, 50
X, y = make_blobs(n, n_features=10, centers=k, cluster_std=2.0, random_state=0)

t0 = time.perf_counter()
clara = CLARA(k, random_state=0).fit(X)
print(f"FasterCLARA: loss {clara.inertia_:.6g} in {time.perf_counter() - t0:.1f} s")
print("loss of all points for each sample's medoids:", np.round(clara.sample_losses_, 0))
print("best sample:", clara.best_sample_)

t0 = time.perf_counter()
sub = X[:10_000]
clarans = CLARANS(k, random_state=0).fit(sub)
print(f"FastCLARANS on 10 000 points: loss {clarans.inertia_:.6g} in "
      f"{time.perf_counter() - t0:.1f} s")

# %%
# Every sample's medoids judged on all the points. Samples are numbered as
# ``sample_losses_`` is indexed (``best_sample_`` is such an index); every sample after the
# first contains the best medoids found so far, yet its own clustering, optimised for the
# sample, can end worse on all the points: the best so far is kept (dashed line).
fig, ax = plt.subplots(figsize=(5.5, 3.2))
samples = np.arange(len(clara.sample_losses_))
ax.plot(samples, clara.sample_losses_, "o-", label="loss of the sample's medoids")
ax.step(samples, np.minimum.accumulate(clara.sample_losses_), "--", where="post",
        c="0.4", label="best so far")
ax.plot(clara.best_sample_, clara.sample_losses_[clara.best_sample_], "o", ms=12,
        mfc="none", mec="C3", mew=2, label=f"kept: best_sample_ = {clara.best_sample_}")
ax.set_xticks(samples)
ax.set_xlabel("sample (index into sample_losses_)")
ax.set_ylabel("loss on all points")
ax.set_title(f"FasterCLARA, n = {n:,}, k = {k}")
ax.legend()
fig.tight_layout()

# %%
# Run as a script, ``python plot_clara_large.py --save DIR`` writes the figure to
# DIR/plot_clara_large.png; without ``--save`` it is shown (when matplotlib can open a
# window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0], "plot_clara_large.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
