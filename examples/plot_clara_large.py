"""
CLARA on data too large for a distance matrix
=============================================

200 000 points would need a 320 GB float64 distance matrix. FasterCLARA clusters samples of
80 + 4k points and judges each sample's medoids on all the data, in chunks; FastCLARANS
searches with random swaps. Both stay within a few hundred MB. (Raise ``n`` to 10^6 to see
the same run take about 20 s.)
"""
import time

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

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(np.arange(1, len(clara.sample_losses_) + 1), clara.sample_losses_, "o-")
    ax.axhline(clara.inertia_, ls="--", c="k", label="kept (best)")
    ax.set_xlabel("sample")
    ax.set_ylabel("loss on all points")
    ax.legend()
    fig.tight_layout()
