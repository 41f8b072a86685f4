"""
Choosing k with the medoid silhouette (and why to look at the whole curve)
===========================================================================

Six clusters of 100 points sit in two groups of three. ``KMedoids(n_clusters="auto")``
runs DynMSC's search: FasterMSC at k = 10, then one medoid fewer at a time down to k = 2,
keeping the k with the best average medoid silhouette. The silhouette rewards the coarsest
well-separated split, so it picks the two groups, by a hair; the six clusters are a second
peak of the curve, almost as high. Read the whole curve, not only its maximum; the
silhouette plots of the two choices show what each one separates.
"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

from clusterkit import KMedoids
from clusterkit.metrics import medoid_silhouette, silhouette
from clusterkit.plotting import plot_silhouette, plot_silhouette_k

centers = [[0, 0], [5, 0], [2.5, 4.35], [14, 0], [19, 0], [16.5, 4.35]]
X, truth = make_blobs(600, centers=centers, cluster_std=0.8, random_state=0)
D = pairwise_distances(X)

km = KMedoids("auto", metric="precomputed", max_clusters=10, method="fastermsc",
              random_state=0).fit(D)
search = km.search_results_
print(f"chosen k = {km.n_clusters_}, medoid silhouette {km.medoid_silhouette_:.3f}")
for k, msil, med in zip(search["n_clusters"], search["medoid_silhouette"],
                        search["medoids"]):
    labels = np.argmin(D[:, med], axis=1)
    print(f"k={k:2d}  medoid silhouette={msil:.3f}  silhouette={silhouette(D, labels):.3f}")

# the second peak: the six clusters
six = search["medoids"][list(search["n_clusters"]).index(6)]
six_labels = np.argmin(D[:, six], axis=1)
print(f"k=6: medoid silhouette {medoid_silhouette(D, six, metric='precomputed'):.3f}")

# %%
# The data, the medoid silhouette at every k tried, and the silhouette plots of the chosen
# k and of the second peak.
fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
axes[0].scatter(X[:, 0], X[:, 1], c=six_labels, s=6, cmap="tab10")
axes[0].scatter(X[km.medoid_indices_, 0], X[km.medoid_indices_, 1], c="k", marker="x",
                s=80, label=f"medoids, k = {km.n_clusters_}")
axes[0].legend(loc="upper center")
axes[0].set_title("data (colours: the k = 6 clustering)")
plot_silhouette_k(km, ax=axes[1])
axes[1].set_title("the medoid silhouette at every k tried")
plot_silhouette(silhouette(D, km.labels_, samples=True), km.labels_, ax=axes[2])
axes[2].set_title(f"silhouette plot, chosen k = {km.n_clusters_}")
plot_silhouette(silhouette(D, six_labels, samples=True), six_labels, ax=axes[3])
axes[3].set_title("silhouette plot, k = 6 (second peak)")
fig.tight_layout()

# %%
# Run as a script, ``python plot_silhouette_k.py --save DIR`` writes the figure to
# DIR/plot_silhouette_k.png; without ``--save`` it is shown (when matplotlib can open a
# window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0], "plot_silhouette_k.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
