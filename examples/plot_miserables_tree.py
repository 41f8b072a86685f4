"""
=======================================================
The community tree of a real graph: Les Miserables
=======================================================

The co-appearance network of the characters of *Les Miserables* ships with networkx:
77 characters, an edge between two characters who appear in the same chapter, weighted
by the number of such chapters (1 to 31, a heavy-tailed count). Bottom-up
:class:`~clusterkit.community.AgglomerativeCommunities` finds its bottom communities
with the weighted Bethe-Hessian and merges them by edge density; the tree then gives
every level.

Left, the tree; right, the graph drawn with every character coloured by its bottom
community and shaped by its side of the top split (the level with two communities).
"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from clusterkit.community import AgglomerativeCommunities, plot_community_dendrogram

G = nx.les_miserables_graph()
model = AgglomerativeCommunities(random_state=0).fit(G)
top = model.cut(2)
print(f"{model.n_communities_} bottom communities of sizes "
      f"{np.bincount(model.labels_).tolist()}")

# %%
# Name every bottom community by its best-connected character (largest weighted degree)
strength = dict(G.degree(weight="weight"))
names = []
for k in range(model.n_communities_):
    members = [model.nodes_[i] for i in np.flatnonzero(model.labels_ == k)]
    names.append(max(members, key=strength.get))
for side in (0, 1):
    print(f"top side {side}: "
          f"{', '.join(names[k] for k in np.unique(model.labels_[top == side]))}")

# %%
# The figure: the dendrogram over the bottom communities (heights
# ``1 - density / w_max``, on a log scale of the density), and the graph itself. Only
# ten well-connected characters, far enough apart, are named, so that the labels stay
# readable.
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6.2),
                                  gridspec_kw={"width_ratios": [1, 2.2]})
plot_community_dendrogram(model, ax=left, scale="log", leaf_names=names)
left.set_title("Density tree over the bottom communities")
left.tick_params(axis="x", labelrotation=30)

pos = nx.kamada_kawai_layout(G, weight=None)
colors = plt.get_cmap("tab10")
index = {name: i for i, name in enumerate(model.nodes_)}
nx.draw_networkx_edges(G, pos, ax=right, alpha=0.25,
                       width=[0.3 + 0.15 * d["weight"] for _, _, d in G.edges(data=True)])
for side, marker in ((0, "o"), (1, "s")):
    for k in range(model.n_communities_):
        nodes = [u for u in G.nodes
                 if model.labels_[index[u]] == k and top[index[u]] == side]
        if not nodes:
            continue
        nx.draw_networkx_nodes(G, pos, nodelist=nodes, ax=right, node_shape=marker,
                               node_color=[colors(k)], edgecolors="black",
                               linewidths=0.5,
                               node_size=[40 + 4 * strength[u] for u in nodes])
named = []
for u in sorted(G.nodes, key=strength.get, reverse=True):
    # the best-connected characters, skipping any too close to one already named
    if len(named) < 10 and all(np.hypot(*(pos[u] - pos[v])) > 0.22 for v in named):
        named.append(u)
nx.draw_networkx_labels(G, pos, labels={u: u for u in named}, ax=right, font_size=8,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.75})
sizes = np.bincount(model.labels_)
handles = [plt.Line2D([], [], marker="o", ls="", color=colors(k), markeredgecolor="black",
                      label=f"{names[k]}'s community ({sizes[k]})")
           for k in range(model.n_communities_)]
handles += [plt.Line2D([], [], marker=m, ls="", color="grey", label=f"top split: side {s}")
            for s, m in ((0, "o"), (1, "s"))]
right.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
right.set_title("Les Miserables co-appearances: colour = bottom community, "
                "shape = side of the top split")
right.set_axis_off()
fig.suptitle("Bottom-up community tree of a weighted real graph "
             f"({G.number_of_nodes()} characters, {G.number_of_edges()} weighted edges)")
fig.tight_layout()

# %%
# Run as a script, ``python plot_miserables_tree.py --save DIR`` writes the figure to
# DIR/plot_miserables_tree.png; without ``--save`` it is shown (when matplotlib can open
# a window).
if "--save" in sys.argv:
    out = Path((sys.argv[sys.argv.index("--save") + 1:] or ["."])[0],
               "plot_miserables_tree.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"figure saved to {out}")
else:
    plt.show()
