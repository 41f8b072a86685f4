"""
PPP: how many clusters, and the same answer for every seed
==========================================================

Five Gaussian clusters of different shapes and sizes. PPP splits the data with
deterministic 2-means and keeps a split only when a two-component Gaussian mixture fitted
on the node is better by BIC; the children are the mixture's two components (each point
shared between them by its responsibilities). It finds the number of clusters by itself,
draws no random number (``random_state`` changes nothing, also with the codebook
reduction used for large data), and records every examined node with its gain and how
the validation decided (``tree_.summary()``), which we draw as a tree. A Gaussian
mixture whose k is chosen by a BIC sweep is shown for comparison.

Run as a script with ``--save DIR`` to write the figure to ``DIR/plot_ppp.png``.
"""
import argparse
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
print(ppp.tree_.summary())

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
# Clusters with their covariance ellipses, and the split tree. A dendrogram's heights
# must grow towards the root, PPP's gains need not (a child's split can gain more than
# its parent's), so the tree is drawn by depth and every split is labelled with the very
# gain printed above; leaves show their size, their cluster and why they were not split.


def draw_tree(tree, ax):
    """The split tree, root on top: splits labelled with their BIC gain, leaves with
    their size, cluster and status."""
    x = {}
    order = []

    def place(node):  # leaves left to right in depth-first order
        if tree.left[node] < 0:
            x[node] = len(order)
            order.append(node)
        else:
            place(tree.left[node])
            place(tree.right[node])
            x[node] = (x[tree.left[node]] + x[tree.right[node]]) / 2

    place(0)
    for node in x:
        y = -tree.depth[node]
        if tree.left[node] >= 0:
            for child in (tree.left[node], tree.right[node]):
                ax.plot([x[node], x[child], x[child]], [y, y, y - 1], "k", lw=1)
            ax.text(x[node], y + 0.08, f"{tree.gain[node]:.0f}", ha="center",
                    va="bottom", fontsize=8, color="tab:blue")
        else:
            ax.text(x[node], y - 0.08, f"cluster {tree.cluster[node]}\n"
                    f"n={tree.size[node]:.0f}\n{tree.status[node]}", ha="center",
                    va="top", fontsize=7)
    ax.set_xticks([])
    depth = int(tree.depth.max())
    ax.set_yticks(-np.arange(depth + 1))
    ax.set_yticklabels(np.arange(depth + 1))
    ax.set_ylim(-depth - 1.2, 0.6)
    ax.set_xlim(-0.8, len(order) - 0.2)
    ax.set_ylabel("depth in the split tree")


try:
    import matplotlib

    if __name__ == "__main__":
        matplotlib.use("Agg")  # headless-safe; sphinx-gallery collects the open figures
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.5),
                                   gridspec_kw={"width_ratios": [1, 1.6]})
    ax1.scatter(X[:, 0], X[:, 1], c=ppp.labels_, s=4, cmap="tab10")
    t = np.linspace(0, 2 * np.pi, 100)
    for c, (mean, cov) in enumerate(zip(ppp.means_, ppp.covariances_)):
        vals, vecs = np.linalg.eigh(cov)
        ellipse = (vecs * 2 * np.sqrt(vals)) @ np.vstack([np.cos(t), np.sin(t)])
        ax1.plot(mean[0] + ellipse[0], mean[1] + ellipse[1], "k", lw=1)
        ax1.text(mean[0], mean[1], str(c), fontsize=12, weight="bold")
    ax1.set_title(f"PPP: {ppp.n_clusters_} clusters (2-sigma ellipses)")
    draw_tree(ppp.tree_, ax2)
    ax2.set_title("split tree: blue numbers are the BIC gains of the accepted splits")
    fig.tight_layout()
    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--save", metavar="DIR", help="write DIR/plot_ppp.png")
        args = parser.parse_args()
        if args.save:
            from pathlib import Path

            out = Path(args.save) / "plot_ppp.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(out, dpi=90)
            print(f"figure saved to {out}")
    plt.show()
