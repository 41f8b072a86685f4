"""
k-medoids on the digits: choosing k with the medoid silhouette
===============================================================

FasterPAM clusters the 1797 handwritten digits on a precomputed euclidean matrix for a range
of k; the medoid silhouette (O(n k)) and the classic silhouette (reusing the matrix) show
which k separates the data best, and the medoids themselves are real digits we can look at
(:func:`~clusterkit.plotting.plot_medoid_images`).
"""
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import pairwise_distances

from clusterkit import KMedoids
from clusterkit.metrics import medoid_silhouette, silhouette
from clusterkit.plotting import plot_medoid_images

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

# %%
# The medoid silhouette peaks at k = 12, not at 10, the number of digits (the classic
# silhouette agrees): some digits are written in two ways, and here the 1s and the 5s get
# two clusters each. The medoids are real images: every cluster is shown by its most
# central digit, captioned with the true digit most of its members are and its size.
ks = np.array([r[0] for r in rows])
med_sil = np.array([r[3] for r in rows])
best_k = int(ks[np.argmax(med_sil)])
best = KMedoids(best_k, metric="precomputed", init="build", random_state=0).fit(D)
captions = []
for c in range(best_k):
    members = y[best.labels_ == c]
    captions.append(f"{np.bincount(members).argmax()} (n={members.size})")
print(f"highest medoid silhouette at k = {best_k}; clusters:", ", ".join(captions))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
axes[0].plot(ks, [r[2] for r in rows], "o-", label="silhouette")
axes[0].plot(ks, med_sil, "s-", label="medoid silhouette")
axes[0].axvline(best_k, color="C1", ls="--", lw=1)
axes[0].annotate(f"highest: k = {best_k}", (best_k, med_sil.max()), xytext=(6, 6),
                 textcoords="offset points", color="C1")
axes[0].set_xticks(ks)
axes[0].set_xlabel("number of clusters k")
axes[0].set_ylabel("average over the digits")
axes[0].margins(y=0.15)
axes[0].legend(loc="lower right")
plot_medoid_images(X, best.medoid_indices_, (8, 8), ax=axes[1], n_cols=6, captions=captions)
axes[1].set_title(f"the {best_k} medoids (majority digit, cluster size)", pad=8)
fig.tight_layout()

# %%
# Run as a script, ``python plot_kmedoids_digits.py --save DIR`` writes the figure to
# DIR/plot_kmedoids_digits.png; without ``--save`` it is shown (when matplotlib can open
# a window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0], "plot_kmedoids_digits.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
