"""
=============================================
A tree over Louvain communities (one line)
=============================================

Louvain and Leiden return one flat partition. Users often want the tree above it: which
communities are close to which. Dreveton et al.'s bottom-up linkage gives it: merge the
two communities with the highest edge density ``w(C, C') / (|C| |C'|)``, add up their
edges, repeat. :class:`~clusterkit.community.AgglomerativeCommunities` does this over any
partition passed as ``base``: one label per node, in the order of ``G.nodes``.

Here: the co-appearance network of the characters of *Les Miserables* (shipped with
networkx, weighted by the number of shared chapters), its Louvain partition, and the
density tree over it.
"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from clusterkit.community import AgglomerativeCommunities, plot_community_dendrogram

G = nx.les_miserables_graph()
communities = nx.community.louvain_communities(G, weight="weight", seed=1)
index = {name: i for i, name in enumerate(G.nodes)}
partition = np.empty(G.number_of_nodes(), dtype=int)
for k, members in enumerate(communities):
    partition[[index[name] for name in members]] = k

# %%
# The one line: the tree over exactly these communities (no refinement of the
# partition, whose communities are numbered again by their first node)
model = AgglomerativeCommunities(base=partition).fit(G)
print(f"{model.n_communities_} Louvain communities, linkage {model.linkage_.shape}")

# %%
# Name every community by its best-connected character (largest weighted degree), and
# list the two sides of the top split
strength = dict(G.degree(weight="weight"))
names = []
for k in range(model.n_communities_):
    members = [model.nodes_[i] for i in np.flatnonzero(model.labels_ == k)]
    names.append(max(members, key=strength.get))
top = model.cut(2)
for side in (0, 1):
    leaders = sorted({names[k] for k in np.unique(model.labels_[top == side])})
    print(f"top side {side}: {', '.join(leaders)}")

# %%
# The dendrogram: heights are ``1 - density / w_max`` (``w_max`` the largest weight);
# the graph is sparse, so the log scale (one unit per factor 10 of density) shows the
# merges best
fig, ax = plt.subplots(figsize=(8, 4.2))
plot_community_dendrogram(model, ax=ax, scale="log", leaf_names=names)
ax.set_title("Les Miserables: density linkage over the Louvain communities")
ax.tick_params(axis="x", labelrotation=60)
fig.tight_layout()

# %%
# Run as a script, ``python plot_louvain_hierarchy.py --save DIR`` writes the figure to
# DIR/plot_louvain_hierarchy.png; without ``--save`` it is shown (when matplotlib can
# open a window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0],
               "plot_louvain_hierarchy.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
