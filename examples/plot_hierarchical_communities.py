"""
==========================================================
Bottom-up and top-down trees of a hierarchical block model
==========================================================

A hierarchical stochastic block model (HSBM) nests communities in a tree: here 8 bottom
communities of 200 nodes, paired into 4, then into 2. Two nodes are linked with a
probability ``a_l log(N) / N`` set by the depth ``l`` of their lowest common ancestor.

We fit the bottom-up method (:class:`~clusterkit.community.AgglomerativeCommunities`:
Bethe-Hessian spectral clustering, then average linkage on edge density) and the top-down
baseline (:class:`~clusterkit.community.DivisiveCommunities`: recursive spectral
bipartition) on a few samples, both told that there are 8 bottom communities, cut both
trees into the true number of communities of every level, and compare with the
Chernoff-Hellinger divergence of each level, which says where exact recovery is possible
(above 1).
"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from clusterkit.community import (
    AgglomerativeCommunities,
    DivisiveCommunities,
    chernoff_hellinger_levels,
    hierarchy_scores,
    plot_community_dendrogram,
)
from clusterkit.datasets import make_hsbm

a = [40, 41, 45, 100]  # a_0 (root) ... a_3 (same bottom community)

# %%
# Theory: the divergence of every level (exact recovery needs more than 1). Top-down
# only sees probabilities averaged over each half, so its divergence is never larger:
# here every level is above the threshold for bottom-up and below it for top-down.
bottom_up_ch, top_down_ch = chernoff_hellinger_levels(a, depth=3, branching=2)
for level, (bu, td) in enumerate(zip(bottom_up_ch, top_down_ch), start=1):
    print(f"level {level}: CH bottom-up {bu:.2f}, top-down {td:.2f}")

# %%
# Fit both methods on 2 samples and count the levels recovered exactly (the thresholds
# are asymptotic: on finite graphs a level slightly below 1 is sometimes still recovered)
methods = {"bottom-up": AgglomerativeCommunities, "top-down": DivisiveCommunities}
exact = {name: np.zeros(3, dtype=int) for name in methods}
fitted = {}
n_samples = 2
for seed in range(n_samples):
    A, levels = make_hsbm(depth=3, branching=2, n_per_community=200, p=a, scale="log",
                          random_state=seed)
    for name, Estimator in methods.items():
        model = Estimator(n_communities=8, random_state=0).fit(A)
        pred = [model.cut(min(k, model.n_communities_)) for k in (2, 4, 8)]
        exact[name] += hierarchy_scores(levels[1:], pred)["exact"]
        fitted.setdefault(name, model)
for name, counts in exact.items():
    print(f"{name}: exact recovery of levels 1/2/3 in {counts.tolist()} of {n_samples} "
          "samples")

# %%
# The two trees of the first sample. Heights are ``1 - edge density``: sibling
# communities merge low, the two halves of the graph near the top, the root last. The
# densities of the levels differ little (the ``a`` above: 45, 41, 40), so the y axis
# shows only the range of the merges (``scale="log"`` or ``"rank"`` draw it otherwise).
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
for ax, (name, model) in zip(axes, fitted.items()):
    plot_community_dendrogram(model, ax=ax)
    ax.set_title(f"{name} ({model.n_communities_} bottom communities)")
    ax.tick_params(axis="x", labelrotation=90)
axes[1].set_ylabel("")
fig.tight_layout()

# %%
# Run as a script, ``python plot_hierarchical_communities.py --save DIR`` writes the
# figure to DIR/plot_hierarchical_communities.png; without ``--save`` it is shown (when
# matplotlib can open a window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0],
               "plot_hierarchical_communities.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
