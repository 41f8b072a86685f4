"""
k-medoids on the digits: choosing k with the medoid silhouette
===============================================================

FasterPAM clusters the 1797 handwritten digits on a precomputed euclidean matrix for a range
of k; the medoid silhouette (O(n k)) and the classic silhouette (reusing the matrix) show
which k separates the data best, and the medoids themselves are real digits we can look at.
"""
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import pairwise_distances

from clusterkit import KMedoids
from clusterkit.metrics import medoid_silhouette, silhouette

X, y = load_digits(return_X_y=True)
D = pairwise_distances(X)

rows = []
for k in range(4, 17, 2):
    t0 = time.perf_counter()
    km = KMedoids(k, metric="precomputed", init="build", random_state=0).fit(D)
    dt = time.perf_counter() - t0
    rows.append((k, km.inertia_, silhouette(D, km.labels_),
                 medoid_silhouette(D, km.medoid_indices_, metric="precomputed"), dt))
    print(f"k={k:2d}  loss={rows[-1][1]:9.1f}  silhouette={rows[-1][2]:.3f}  "
          f"medoid silhouette={rows[-1][3]:.3f}  ({dt:.2f} s)")

best = KMedoids(10, metric="precomputed", init="build", random_state=0).fit(D)

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # the plot is optional
    plt = None

if plt is not None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    ks = [r[0] for r in rows]
    axes[0].plot(ks, [r[2] for r in rows], "o-", label="silhouette")
    axes[0].plot(ks, [r[3] for r in rows], "s-", label="medoid silhouette")
    axes[0].set_xlabel("k")
    axes[0].legend()
    axes[1].imshow(np.hstack([X[m].reshape(8, 8) for m in best.medoid_indices_]),
                   cmap="gray_r")
    axes[1].set_title("the 10 medoids are real digits")
    axes[1].axis("off")
    fig.tight_layout()
