"""
PPP: how many clusters, and the same answer for every seed
==========================================================

Five Gaussian clusters of different shapes and sizes. PPP splits the data with
deterministic 2-means and keeps a split only when a two-component Gaussian mixture confirms
it (better BIC, and the mixture's assignment agrees with the split). It finds the number of
clusters by itself, draws no random number (``random_state`` changes nothing, also with
the codebook reduction used for large data), and records every split's criterion gain,
which we draw as a dendrogram. A Gaussian mixture whose k is chosen by a BIC sweep is shown
for comparison.
"""
import time

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from clusterkit import PPP

rng = np.random.RandomState(0)
means = np.array([[0, 0], [6, 1], [2, 7], [9, 8], [-5, 6]])
covs = [np.array([[2.0, 1.2], [1.2, 1.0]]), np.diag([0.3, 2.0]), np.eye(2) * 0.5,
        np.array([[1.5, -0.9], [-0.9, 1.0]]), np.diag([2.5, 0.4])]
sizes = [1200, 600, 400, 800, 500]


def sample(scale):
    X = np.vstack([rng.multivariate_normal(m, c, size=s * scale)
                   for m, c, s in zip(means, covs, sizes)])
    y = np.repeat(np.arange(5), np.array(sizes) * scale)
    return X, y


X, y = sample(1)

# %%
# Fit PPP: no number of clusters is given
t0 = time.perf_counter()
ppp = PPP(random_state=0).fit(X)
print(f"PPP found {ppp.n_clusters_} clusters in {time.perf_counter() - t0:.2f} s, "
      f"ARI = {adjusted_rand_score(y, ppp.labels_):.3f}")
for split in ppp.tree_.splits():
    print(f"  node {split['node']:2d}: {split['size']:6.0f} points, "
          f"BIC gain {split['gain']:8.1f}, agreement {split['agreement']:.3f}")

# %%
# Splits cut clusters where they touch, so the tree can have more leaves than there are
# clusters (small gains above are fragments); the final mixture removes components as
# long as the BIC of the whole model improves, and each leaf is mapped to a cluster.
n_leaves = int((ppp.tree_.left < 0).sum())
print(f"{n_leaves} leaves -> {ppp.n_clusters_} clusters; leaf -> cluster:",
      dict(zip(ppp.tree_.leaves.tolist(), ppp.tree_.cluster[ppp.tree_.leaves].tolist())))

# %%
# The same labels for every seed, with the codebook reduction too (14 000 points
# summarised by 300 weighted cells), and the same partition as without the codebook
X_big, y_big = sample(4)
labels = [PPP(reduce=True, n_codebook=300, random_state=seed).fit(X_big).labels_
          for seed in range(5)]
print("identical labels for seeds 1-4 (codebook path):",
      all(np.array_equal(labels[0], lab) for lab in labels[1:]))
direct = PPP(reduce=False).fit(X_big)
print(f"codebook vs direct path: ARI = {adjusted_rand_score(direct.labels_, labels[0]):.3f}")

# %%
# The usual alternative: fit a mixture for every k and keep the best BIC
t0 = time.perf_counter()
sweep = [GaussianMixture(k, random_state=0).fit(X) for k in range(1, 11)]
best = min(sweep, key=lambda gm: gm.bic(X))
print(f"BIC sweep chose k = {best.n_components} in {time.perf_counter() - t0:.2f} s, "
      f"ARI = {adjusted_rand_score(y, best.predict(X)):.3f}")

# %%
# Clusters with their covariance ellipses, and the split tree as a dendrogram
try:
    import matplotlib

    matplotlib.use("Agg")  # headless-safe; sphinx-gallery collects the open figures
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram
except ImportError:
    plt = None

if plt is not None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax1.scatter(X[:, 0], X[:, 1], c=ppp.labels_, s=4, cmap="tab10")
    t = np.linspace(0, 2 * np.pi, 100)
    for mean, cov in zip(ppp.means_, ppp.covariances_):
        vals, vecs = np.linalg.eigh(cov)
        ellipse = (vecs * 2 * np.sqrt(vals)) @ np.vstack([np.cos(t), np.sin(t)])
        ax1.plot(mean[0] + ellipse[0], mean[1] + ellipse[1], "k", lw=1)
    ax1.set_title(f"PPP: {ppp.n_clusters_} clusters")
    dendrogram(ppp.tree_.to_linkage(), ax=ax2,
               labels=[f"cluster {c}" for c in ppp.tree_.cluster[ppp.tree_.leaves]])
    ax2.set_ylabel("BIC gain of the split")
    ax2.set_title("accepted splits")
    fig.tight_layout()
    plt.show()
