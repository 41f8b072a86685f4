"""The families of the command line: each subcommand's fit, summary, JSON and figure.

A fit function takes the parsed arguments, the data and a :class:`~clusterkit._cli._Steps`
(it calls ``steps(function)`` once per long step named in :data:`FAMILIES`) and returns a
:class:`Result`; :mod:`clusterkit._cli` reads the input before and writes the outputs after.
"""
from dataclasses import dataclass

import numpy as np

from ._cli_io import CLIError


@dataclass
class Result:
    """What a family's run hands to the output stage."""

    labels: np.ndarray  # one per kept row / node
    lines: list  # the summary printed on stdout
    record: dict  # the --json content
    draw: object  # draw(ax) for --plot


def _params(est):
    """The estimator's parameters that JSON can hold."""
    return {k: v for k, v in est.get_params().items()
            if isinstance(v, (str, int, float, bool, type(None)))}


def check_table_args(args, X, name):
    """What can be checked before computing: the metric and k against the rows."""
    if args.command == "ppp":
        return
    n, d = X.shape
    if args.metric == "precomputed":
        if n != d:
            raise CLIError(f"--metric precomputed needs a square dissimilarity matrix; "
                           f"{name} is {n} x {d}")
    else:
        from sklearn.metrics import pairwise_distances

        try:
            pairwise_distances(X[:2], metric=args.metric)
        except (ValueError, TypeError):
            raise CLIError(f"--metric {args.metric!r} is not a metric scikit-learn knows; "
                           "use e.g. euclidean, manhattan, cosine, or precomputed for a "
                           "square dissimilarity matrix") from None
    k = args.n_clusters
    rows = f"the {n} rows of {name}" + (" kept" if args.missing == "drop" else "")
    if k == "auto":
        if args.max_clusters > n:
            raise CLIError(f"--max-clusters {args.max_clusters} is more than {rows}; choose "
                           f"at most {n}")
    elif k > n:
        raise CLIError(f"-k {k} is more than {rows}; choose -k between 1 and {n}")
    if args.plot and k == 1:
        raise CLIError("--plot draws a silhouette plot, which needs -k 2 or more")


def _medoid_result(args, est, kept, values, what, lines, record):
    """Summary, JSON and figure of a fitted k-medoids estimator."""
    from .plotting import plot_silhouette

    k = len(est.medoid_indices_)
    rows = np.flatnonzero(kept)[est.medoid_indices_]  # rows of the file, dropped included
    sizes = np.bincount(est.labels_, minlength=k)
    n = len(est.labels_)
    mean = float(np.mean(values)) if values is not None else None
    head = [f"method: {args.method}" + (f" (init={args.init})" if "init" in args else "")
            + f", k = {k}",
            f"medoids (row indices): {rows.tolist()}",
            f"cluster sizes: {sizes.tolist()}",
            f"loss (sum of distances): {est.inertia_:.6g}   "
            f"mean distance to medoid: {est.inertia_ / n:.6g}"]
    if mean is not None:
        head.append(f"{what}: {mean:.4f}")
    record = {"command": args.command, "estimator": type(est).__name__,
              "params": _params(est), "n_samples": n, "n_clusters": k,
              "medoids": rows, "cluster_sizes": sizes, "loss": est.inertia_,
              what.replace(" ", "_"): mean, "n_iter": est.n_iter_,
              "n_swaps": est.n_swaps_, **record}

    def draw(ax):
        plot_silhouette(values, est.labels_, ax=ax)
        ax.set_title(f"{type(est).__name__} ({args.method}), k = {k}: {what} {mean:.3f}")
        ax.set_xlabel(what)

    return Result(est.labels_, head + lines, record, draw)


def _fit_kmedoids(args, X, kept, steps):
    from ._medoids import KMedoids, pairwise_dissimilarity
    from .metrics import silhouette

    pre = args.metric == "precomputed"
    # the estimator's own matrix builder: memory-checked for the dtype really built
    D = steps(lambda: X if pre else pairwise_dissimilarity(X, args.metric))
    km = KMedoids(args.n_clusters, metric="precomputed", method=args.method, init=args.init,
                  max_iter=args.max_iter, min_clusters=args.min_clusters,
                  max_clusters=args.max_clusters, random_state=args.seed,
                  verbose=args.verbose)
    steps(lambda: km.fit(D))
    k = km.n_clusters_
    values = steps(lambda: silhouette(D, km.labels_, samples=True, check_input=pre)
                   if 2 <= k < len(D) else None)
    lines = [f"medoid silhouette: {km.medoid_silhouette_:.4f}",
             f"swap phase: {km.n_iter_} passes, {km.n_swaps_} swaps"]
    record = {"medoid_silhouette": km.medoid_silhouette_}
    if args.n_clusters == "auto":
        record["search_results"] = km.search_results_
    return _medoid_result(args, km, kept, values, "silhouette", lines, record)


def _fit_sampled(args, X, kept, steps):
    """CLARA or CLARANS: no n x n matrix; the medoid silhouette (O(n k)) judges them."""
    from . import CLARA, CLARANS
    from .metrics import medoid_silhouette

    common = dict(metric=args.metric, method=args.method, random_state=args.seed,
                  verbose=args.verbose)
    if args.command == "clara":
        est = CLARA(args.n_clusters, init=args.init, n_sampling=args.n_sampling,
                    n_sampling_iter=args.n_sampling_iter, sampling=args.sampling,
                    max_iter=args.max_iter, **common)
    else:
        est = CLARANS(args.n_clusters, numlocal=args.numlocal,
                      maxneighbor=args.maxneighbor, **common)
    steps(lambda: est.fit(X))
    values = steps(lambda: medoid_silhouette(X, est.medoid_indices_, metric=args.metric,
                                             samples=True)
                   if args.n_clusters >= 2 else None)
    losses = est.sample_losses_ if args.command == "clara" else est.local_losses_
    name = "sample_losses" if args.command == "clara" else "local_losses"
    lines = [f"{name.replace('_', ' ')}: "
             + ", ".join(f"{v:.6g}" for v in losses)]
    return _medoid_result(args, est, kept, values, "medoid silhouette", lines,
                          {name: losses})


def _fit_ppp(args, X, kept, steps):
    from . import PPP

    ppp = PPP(max_clusters=args.max_clusters, min_cluster_size=args.min_cluster_size,
              criterion=args.criterion, covariance_type=args.covariance_type,
              agreement=args.agreement, n_codebook=args.n_codebook,
              reduce={"auto": "auto", "yes": True, "no": False}[args.reduce],
              verbose=args.verbose)
    steps(lambda: ppp.fit(X))
    tree, k = ppp.tree_, ppp.n_clusters_
    Z = tree.to_linkage()
    sizes = np.bincount(ppp.labels_, minlength=k)
    lines = [f"PPP (criterion={args.criterion}, covariance_type={args.covariance_type}): "
             f"{k} cluster{'s' * (k != 1)}",
             f"cluster sizes: {sizes.tolist()}",
             f"split tree: {tree.n_nodes} nodes examined, {len(tree.splits())} splits "
             "accepted" + (f"; on a codebook of {len(ppp.codebook_)} cells" if ppp.reduced_
                           else "")]
    nodes = {a: getattr(tree, a) for a in ("parent", "left", "right", "size", "depth",
                                           "gain", "agreement", "status", "cluster")}
    record = {"command": "ppp", "estimator": "PPP", "params": _params(ppp),
              "n_samples": len(ppp.labels_), "n_clusters": k, "cluster_sizes": sizes,
              "reduced": ppp.reduced_, "means": ppp.means_, "weights": ppp.weights_,
              "tree": {"nodes": nodes, "splits": tree.splits()}, "linkage": Z}

    def draw(ax):
        from scipy.cluster.hierarchy import dendrogram

        leaves = tree.leaves
        names = [f"{tree.cluster[i]} ({tree.size[i]:.0f})" for i in leaves]
        if Z.shape[0] == 0:
            ax.text(0.5, 0.5, "one cluster: no split was accepted", ha="center",
                    va="center", transform=ax.transAxes)
            ax.set_xticks([])
        else:
            dendrogram(Z, ax=ax, labels=names)
        ax.set_ylabel(f"{args.criterion.upper()} gain of the split")
        ax.set_xlabel("cluster (points)")
        ax.set_title(f"PPP split tree: {k} clusters")

    return Result(ppp.labels_, lines, record, draw)


def _fit_communities(args, graph, nodes, levels, steps):
    from .community import (
        AgglomerativeCommunities,
        DivisiveCommunities,
        hierarchy_scores,
        plot_community_dendrogram,
    )

    common = dict(n_communities=args.n_communities, n_init=args.n_init,
                  weight=None if args.weight.lower() == "none" else args.weight,
                  random_state=args.seed, verbose=args.verbose)
    if args.method == "divisive":
        model = DivisiveCommunities(tau=args.tau, min_size=args.min_size, **common)
    else:
        model = AgglomerativeCommunities(base=args.base, resolution=args.resolution,
                                         local_split=args.local_split, refine=args.refine,
                                         **common)
    steps(lambda: model.fit(graph))
    K = model.n_communities_
    if args.cut is not None and args.cut > K:
        raise CLIError(f"--cut {args.cut} is more than the {K} bottom communities found; "
                       f"choose --cut between 1 and {K}")
    labels = model.labels_ if args.cut is None else model.cut(args.cut)
    sizes = np.bincount(model.labels_[model.labels_ >= 0], minlength=K)
    lines = [f"{type(model).__name__}: {K} bottom communit{'ies' if K != 1 else 'y'} of "
             f"{len(nodes)} nodes ({int(np.sum(model.labels_ < 0))} isolated)",
             f"community sizes: {sizes.tolist()}"]
    density = "split_densities" if args.method == "divisive" else "merge_densities"
    record = {"command": "communities", "estimator": type(model).__name__,
              "params": _params(model), "n_nodes": len(nodes), "n_communities": K,
              "community_sizes": sizes, "nodes": nodes, "labels": model.labels_,
              "linkage": model.linkage_, density: getattr(model, f"{density}_")}
    if args.method == "divisive":
        lines.append(f"inversions in the split tree: {model.n_inversions_}")
        record["n_inversions"] = model.n_inversions_
    if args.cut is not None:
        lines.append(f"labels written at the level with {args.cut} communities")
        record["cut"] = {"n_clusters": args.cut, "labels": labels}
    if levels is not None:
        truth = levels[1:]
        pred = [model.cut(min(len(np.unique(t)), K)) for t in truth]
        accuracy = hierarchy_scores(truth, pred)["accuracy"]
        lines.append("matched accuracy per level of the true tree: "
                     + ", ".join(f"{a:.3f}" for a in accuracy))

    def draw(ax):
        plot_community_dendrogram(model, ax=ax)
        ax.set_title(f"{type(model).__name__}: {K} bottom communities")

    return Result(labels, lines, record, draw)


# fit function and its long steps (the progress bar's stages), by subcommand
FAMILIES = {
    "kmedoids": (_fit_kmedoids, ("distance matrix", "k-medoids", "silhouettes")),
    "clara": (_fit_sampled, ("CLARA", "medoid silhouettes")),
    "clarans": (_fit_sampled, ("CLARANS", "medoid silhouettes")),
    "ppp": (_fit_ppp, ("PPP",)),
    "communities": (_fit_communities, ("communities",)),
}

