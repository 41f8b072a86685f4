"""
===============================================================
Bottom-up beats top-down on a hierarchical stochastic block model
===============================================================

A hierarchical stochastic block model (HSBM) nests communities in a tree: here 8 bottom
communities of 150 nodes, paired into 4, then into 2. Two nodes are linked with a
probability ``a_l log(N) / N`` set by the depth ``l`` of their lowest common ancestor.

We fit the bottom-up method (:class:`~clusterkit.community.AgglomerativeCommunities`:
Bethe-Hessian spectral clustering, then average linkage on edge density) and the top-down
baseline (:class:`~clusterkit.community.DivisiveCommunities`: recursive spectral
bipartition), cut both trees into the true number of communities of every level, and
compare with the Chernoff-Hellinger divergence of each level, which says where exact
recovery is possible (above 1).
"""

import matplotlib.pyplot as plt
import numpy as np

from clusterkit.community import (AgglomerativeCommunities, DivisiveCommunities,
                                  chernoff_hellinger_levels, hierarchy_scores,
                                  plot_community_dendrogram)
from clusterkit.datasets import make_hsbm

a = [40, 45, 60, 100]  # a_0 (root) ... a_3 (same bottom community)
A, levels = make_hsbm(depth=3, branching=2, n_per_community=150, p=a, scale="log",
                      random_state=0)
print(f"{A.shape[0]} nodes, {A.nnz // 2} edges")

# %%
# Theory: the divergence of every level for the two methods
bottom_up_ch, top_down_ch = chernoff_hellinger_levels(a, depth=3, branching=2)
for level, (bu, td) in enumerate(zip(bottom_up_ch, top_down_ch), start=1):
    print(f"level {level}: CH bottom-up {bu:.2f}, top-down {td:.2f}")

# %%
# Fit both methods and score every level
true_k = [len(np.unique(lab)) for lab in levels[1:]]
models = {"bottom-up": AgglomerativeCommunities(random_state=0).fit(A),
          "top-down": DivisiveCommunities(random_state=0).fit(A)}
for name, model in models.items():
    pred = [model.cut(min(k, model.n_communities_)) for k in true_k]
    scores = hierarchy_scores(levels[1:], pred)
    print(f"{name}: {model.n_communities_} bottom communities, accuracy per level "
          f"{np.round(scores['accuracy'], 3).tolist()}")
print("top-down inversions:", models["top-down"].n_inversions_)

# %%
# The two trees. Heights are ``1 - edge density``: sibling communities merge low, the two
# halves of the graph at the top.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    plot_community_dendrogram(model, ax=ax)
    ax.set_title(name)
    ax.tick_params(axis="x", labelrotation=90)
fig.tight_layout()
plt.show()
