"""
PPP's split criterion: why it counts at most 20 000 points
==========================================================

PPP accepts a split of a node when two Gaussian components describe the node better than
one by BIC. Written per sample of the data set, the rule is: the log-likelihood the split
adds (:math:`\\ell_2 - \\ell_1`, two components against one on the node), divided by the
number of samples n, must exceed a threshold,

.. math::

    \\frac{\\ell_2 - \\ell_1}{n} > \\frac{\\Delta p \\, \\log n_c}{2 \\, n_c},

where :math:`\\Delta p` is the number of parameters a component adds and :math:`n_c` the
number of points the criterion counts. With plain BIC, :math:`n_c` is the number of
samples, and the threshold falls towards zero as the data grow: every small departure of
a real cluster from a Gaussian shape (skew, heavy tails) becomes a "significant" split at
10^6 rows, and the number of clusters drifts with n. PPP counts at most
``max_criterion_samples`` points (20 000 by default): the threshold stops falling there,
and a split is judged as on a 20 000-point sample whatever n is.

The figure draws both thresholds against n, with the gain per point of every node that
PPP examined on four mildly skewed clusters: the accepted splits (real cluster
boundaries) sit far above both lines; the refused ones (a skewed cluster's halves) sit
between them, which is where plain BIC would start to accept them as n grows.

Run as a script with ``--save DIR`` to write the figure to ``DIR/plot_ppp_criterion.png``.
"""
import argparse

import numpy as np

from clusterkit import PPP

rng = np.random.RandomState(0)
centres = np.array([[0.0, 0.0], [7.0, 1.0], [1.0, 8.0], [8.0, 8.0]])


def skewed_clusters(n):
    """Four unit clusters, each bent by a small quadratic skew along its first axis."""
    Z = rng.normal(size=(n, 2))
    Z[:, 0] += 0.05 * Z[:, 0] ** 2
    return Z + centres[np.arange(n) % 4]


X = skewed_clusters(20_000)
ppp = PPP().fit(X)
print(f"PPP found {ppp.n_clusters_} clusters")
print(ppp.tree_.summary())

# %%
# The two thresholds. A full-covariance component in d dimensions adds
# d + d (d + 1) / 2 + 1 parameters (6 here).
d = X.shape[1]
delta_p = d + d * (d + 1) / 2 + 1
n = np.logspace(3, 8, 200)
plain = delta_p * np.log(n) / (2 * n)
n_c = np.minimum(n, 20_000)
capped = delta_p * np.log(n_c) / (2 * n_c)
tree = ppp.tree_
examined = np.isfinite(tree.gain_per_point)
# (l2 - l1) / n: the node's gain per point of the node, times its share of the data
gain = tree.gain_per_point * tree.size / tree.size[0]
for status in ("split", "no gain"):
    nodes = examined & (tree.status == status)
    print(f"{status:8s}: (l2 - l1) / n = {np.round(gain[nodes], 5)}")
refused = gain[examined & (tree.status == "no gain")]
worst = refused.max()
print(f"plain BIC would accept a refused split once n > "
      f"{n[np.argmax(plain < worst)]:.2g} rows; PPP's threshold never falls below "
      f"{capped.min():.2g}")

# %%
# The figure
try:
    import matplotlib

    if __name__ == "__main__":
        matplotlib.use("Agg")  # headless-safe; sphinx-gallery collects the open figures
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    ax.loglog(n, plain, color="tab:red", lw=2, label="plain BIC: the threshold falls with n")
    ax.loglog(n, capped, color="tab:blue", lw=2,
              label="PPP: counts at most 20 000 points")
    ax.axvline(20_000, color="grey", ls=":", lw=1)
    ax.text(20_000 * 1.2, plain.max() * 0.5, "20 000 points", color="grey")
    gains = gain[examined]
    accepted = tree.status[examined] == "split"
    for mask, colour, label in ((accepted, "black", "an accepted split"),
                                (~accepted, "tab:orange", "a refused split")):
        for j, g in enumerate(gains[mask]):
            ax.axhline(g, color=colour, lw=1, ls="--", alpha=0.8,
                       label=label if j == 0 else None)
    ax.set_xlabel("number of samples n")
    ax.set_ylabel("log-likelihood a split adds, per sample")
    ax.set_title("A split is kept when it adds more than the threshold line")
    ax.legend(loc="lower left", fontsize=9)
    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--save", metavar="DIR",
                            help="write DIR/plot_ppp_criterion.png")
        args = parser.parse_args()
        if args.save:
            from pathlib import Path

            out = Path(args.save) / "plot_ppp_criterion.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(out, dpi=100)
            print(f"figure saved to {out}")
    plt.show()
