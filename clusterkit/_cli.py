"""Command line: ``clusterkit SUBCOMMAND [DATA] [options]`` (or ``python -m clusterkit``).

One subcommand per family: ``kmedoids``, ``clara``, ``clarans``, ``ppp`` on a table of
samples, ``communities`` on a graph. Without a subcommand the arguments are those of
``kmedoids`` (``python -m clusterkit data.csv -k 5``), and without DATA a table command
clusters scikit-learn's digits, ``communities`` a sampled hierarchical block model.

The summary goes to stdout; notes on what was read and every error go to stderr, an error
as one ``clusterkit: error: ...`` line with exit status 2, before any output file is
written. Reading and writing files live in :mod:`clusterkit._cli_io`.
"""
import argparse
import shlex
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import __version__
from ._cli_families import FAMILIES, check_table_args
from ._cli_io import (
    DELIMITERS,
    GRAPH_SUFFIXES,
    TABLE_SUFFIXES,
    CLIError,
    check_output_paths,
    check_plot_path,
    one_line,
    read_graph,
    read_table,
    write_json,
    write_labels,
)
from ._medoids import CLARA_METHODS, INITS, METHODS
from ._utils._logging import Reporter, progress

SUBCOMMANDS = ("kmedoids", "clara", "clarans", "ppp", "communities")
TABLE_COMMANDS = SUBCOMMANDS[:4]


# -- the parser ------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error on one line (no usage block) and exit status 2."""

    def error(self, message):
        self.exit(2, f"clusterkit: error: {message} (see {self.prog} --help)\n")


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every default except the empty ones (None, False, flags); keeps the line
    breaks of a text that has some (the examples), wraps the others."""

    def _fill_text(self, text, width, indent):
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.nargs == 0:
            return action.help
        return super()._get_help_string(action)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def _k_or_auto(text):
    return "auto" if text == "auto" else _positive_int(text)


def _count_or_share(text):
    """An int >= 1, or a float in (0, 1] (CLARANS's maxneighbor)."""
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither an integer nor a "
                                         "share") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} must be an integer >= 1 or a share in "
                                         "(0, 1]")
    return value


def _cluster_size(text):
    """PPP's min_cluster_size: "auto", an int >= 1 or a float in (0, 1)."""
    if text == "auto":
        return text
    value = _count_or_share(text)
    if value == 1.0 and isinstance(value, float):
        raise argparse.ArgumentTypeError("a share must be below 1")
    return value


def _add_common(p, *, graph, figure):
    kind = "graph" if graph else "data"
    suffixes = ", ".join(GRAPH_SUFFIXES if graph else TABLE_SUFFIXES)
    default = ("a sampled hierarchical block model (4 communities of 100 nodes)" if graph
               else "scikit-learn's digits, 1797 x 64")
    p.add_argument("data", nargs="?", metavar="DATA",
                   help=f"the {kind} file ({suffixes}); default: {default}")
    g = p.add_argument_group("reading DATA")
    g.add_argument("--delimiter", choices=list(DELIMITERS),
                   help="of a text file; sniffed when not given: tab, semicolon or comma "
                        "when every line has one, else whitespace")
    g.add_argument("--header", choices=("auto", "yes", "no"), default="auto",
                   help="whether the first line of a text file names the columns; auto: "
                        "yes when it holds no number" + (
                            " (edge lists: when its weight is no number, or its node names "
                            "are not integers while all others are)" if graph else ""))
    if not graph:
        g.add_argument("--columns", metavar="A,B,...",
                       help="the columns to cluster, by name or 0-based index (default: "
                            "all)")
        g.add_argument("--missing", choices=("refuse", "drop"), default="refuse",
                       help="rows with an empty cell, NaN, NA or null: refuse the file, or "
                            "leave the rows out (the labels file then has -1 on them)")
        g.add_argument("--float32", action="store_true",
                       help="compute in float32 (half the memory)")
    o = p.add_argument_group("output")
    o.add_argument("-o", "--output", metavar="FILE",
                   help="labels file: .npy writes a NumPy array, any other name text with "
                        "a header line ('label'" + (", or 'node,label'" if graph else "")
                        + "); default with DATA: <DATA stem>_labels.csv next to it")
    o.add_argument("--json", metavar="FILE", help="write the fitted model's results as JSON")
    o.add_argument("--plot", metavar="FILE",
                   help=f"draw {figure} (.png, .pdf, .svg; needs matplotlib)")
    talk = o.add_mutually_exclusive_group()
    talk.add_argument("-v", "--verbose", action="count", default=0,
                      help="print the estimator's steps and timings (-vv: more)")
    talk.add_argument("-q", "--quiet", action="store_true", help="print only errors")


def _add_medoid_options(p, methods, method, init):
    p.add_argument("--method", choices=methods, default=method, help="swap algorithm")
    if init is not None:
        p.add_argument("--init", choices=INITS, default=init, help="initial medoids")
    p.add_argument("--metric", metavar="NAME", default="euclidean",
                   help="any scikit-learn metric name, or precomputed when DATA is a "
                        "square dissimilarity matrix")
    p.add_argument("--seed", metavar="SEED", type=int, default=0, help="random_state")


def build_parser():
    """The argument parser of ``clusterkit``, one subparser per subcommand."""
    top = _Parser(prog="clusterkit", formatter_class=_Formatter,
                  description="Clustering from the command line: k-medoids (kmedoids, "
                              "clara, clarans), PPP (ppp) and hierarchical communities of "
                              "graphs (communities). Without a subcommand the arguments "
                              "are those of kmedoids; without DATA, kmedoids clusters "
                              "scikit-learn's digits.",
                  epilog="examples:\n  clusterkit                          # digits demo\n"
                         "  clusterkit data.csv -k 5            # k-medoids, writes "
                         "data_labels.csv\n"
                         "  clusterkit clara big.parquet -k 20 --columns x,y\n"
                         "  clusterkit ppp data.tsv --json ppp.json --plot tree.png\n"
                         "  clusterkit communities edges.csv --cut 2\n"
                         "also: python -m clusterkit ...; clusterkit SUBCOMMAND --help")
    top.add_argument("--version", action="version", version=f"clusterkit {__version__}")
    sub = top.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    top.subcommands = sub.choices  # name -> parser, for errors in main
    kw = dict(formatter_class=_Formatter)

    p = sub.add_parser("kmedoids", help="k-medoids on the full n x n matrix (KMedoids)",
                       description="k-medoids on the full n x n dissimilarity matrix "
                                   "(clusterkit.KMedoids): FasterPAM by default.", **kw)
    _add_common(p, graph=False, figure="the silhouette plot of the clusters")
    p.add_argument("-k", "--n-clusters", metavar="K", type=_k_or_auto, default=10,
                   help="number of medoids, or auto: the k in --min-clusters.."
                        "--max-clusters with the best medoid silhouette")
    _add_medoid_options(p, METHODS, "fasterpam", "random")
    p.add_argument("--max-iter", metavar="N",
                   type=_positive_int, default=300, help="swap iterations")
    p.add_argument("--min-clusters", metavar="K",
                   type=_positive_int, default=2, help="with -k auto")
    p.add_argument("--max-clusters", metavar="K",
                   type=_positive_int, default=10, help="with -k auto")

    p = sub.add_parser("clara", help="k-medoids on samples, for large data (CLARA)",
                       description="CLARA (clusterkit.CLARA): k-medoids on samples, judged "
                                   "on all the data; never builds the n x n matrix.", **kw)
    _add_common(p, graph=False, figure="the medoid silhouette plot of the clusters")
    p.add_argument("-k", "--n-clusters", metavar="K", type=_positive_int, default=10,
                   help="number of medoids")
    _add_medoid_options(p, CLARA_METHODS, "fasterpam", "build")
    p.add_argument("--n-sampling", metavar="N", type=_positive_int,
                   help="sample size (default: 80 + 4k, 40 + 2k for pam, at most n)")
    p.add_argument("--n-sampling-iter", metavar="N", type=_positive_int, default=5,
                   help="number of samples")
    p.add_argument("--sampling", choices=("keep_best", "independent"), default="keep_best",
                   help="keep_best: every sample contains the best medoids so far")
    p.add_argument("--max-iter", metavar="N", type=_positive_int, default=300,
                   help="swap iterations per sample")

    p = sub.add_parser("clarans", help="randomized k-medoids search (CLARANS)",
                       description="CLARANS (clusterkit.CLARANS): randomized swaps from "
                                   "random starts; never builds the n x n matrix.", **kw)
    _add_common(p, graph=False, figure="the medoid silhouette plot of the clusters")
    p.add_argument("-k", "--n-clusters", metavar="K", type=_positive_int, default=10,
                   help="number of medoids")
    _add_medoid_options(p, ("fast", "classic"), "fast", None)
    p.add_argument("--numlocal", metavar="N",
                   type=_positive_int, default=2, help="random restarts")
    p.add_argument("--maxneighbor", metavar="N", type=_count_or_share,
                   help="failed tries in a row that end a restart: a count, or a share of "
                        "the neighbours (default: 0.025 for fast, 0.0125 for classic)")

    p = sub.add_parser("ppp", help="probabilistic partitive partitioning, k found (PPP)",
                       description="PPP (clusterkit.PPP): k-means splits validated by "
                                   "Gaussian mixtures; finds the number of clusters and "
                                   "draws no random number.", **kw)
    _add_common(p, graph=False, figure="the dendrogram of the split tree")
    p.add_argument("--max-clusters", metavar="K", type=_positive_int,
                   help="stop at this many clusters (default: no cap)")
    p.add_argument("--min-cluster-size", metavar="SIZE", type=_cluster_size, default="auto",
                   help="smallest child of a split: a count, a share of n in (0, 1), or "
                        "auto (max(10, d + 1) for full covariances, else 10)")
    p.add_argument("--criterion", choices=("bic", "aic"), default="bic",
                   help="information criterion judging a split")
    p.add_argument("--covariance-type", choices=("full", "tied", "diag", "spherical"),
                   default="full", help="of every mixture")
    p.add_argument("--agreement", metavar="SHARE", type=float, default=0.7,
                   help="share of a node where the mixture must agree with 2-means, in "
                        "[0.5, 1]")
    p.add_argument("--reduce", choices=("auto", "yes", "no"), default="auto",
                   help="summarise the data by a codebook first (auto: above 20000 rows)")
    p.add_argument("--n-codebook", metavar="N", type=_positive_int, default=1000,
                   help="codebook cells")

    p = sub.add_parser("communities", help="hierarchical communities of a graph",
                       description="Hierarchical community detection: bottom-up "
                                   "(clusterkit.community.AgglomerativeCommunities, the "
                                   "default) or top-down (DivisiveCommunities). The labels "
                                   "file holds one line per node; isolated nodes get -1.",
                       **kw)
    _add_common(p, graph=True, figure="the dendrogram of the community tree")
    p.add_argument("--method", choices=("agglomerative", "divisive"),
                   default="agglomerative", help="bottom-up or top-down")
    p.add_argument("--divisive", dest="method", action="store_const", const="divisive",
                   help="same as --method divisive")
    p.add_argument("-k", "--n-communities", metavar="K", type=_positive_int,
                   help="number of bottom communities (default: estimated from the "
                        "Bethe-Hessian)")
    p.add_argument("--cut", type=_positive_int, metavar="K",
                   help="label the nodes at the level of the tree with K communities "
                        "(default: the bottom communities)")
    p.add_argument("--base", choices=("bethe_hessian", "louvain"), default="bethe_hessian",
                   help="agglomerative: how the bottom communities are found")
    p.add_argument("--resolution", metavar="R", type=float, default=1.0,
                   help="agglomerative with --base louvain: modularity resolution")
    p.add_argument("--no-local-split", dest="local_split", action="store_false",
                   help="agglomerative: do not split bottom communities again")
    p.add_argument("--refine", metavar="N", type=int, default=1,
                   help="agglomerative: sweeps of local refinement")
    p.add_argument("--tau", metavar="TAU", type=float, default=0.1,
                   help="divisive: regularization of the spectral bipartition")
    p.add_argument("--min-size", metavar="N", type=_positive_int, default=2,
                   help="divisive: node sets smaller than this are not split")
    p.add_argument("--n-init", metavar="N",
                   type=_positive_int, default=10, help="k-means restarts")
    p.add_argument("--weight", metavar="ATTR", default="weight",
                   help="edge attribute holding the weights of a networkx format; none "
                        "ignores weights")
    p.add_argument("--seed", metavar="SEED", type=int, default=0, help="random_state")
    return top


# -- running ---------------------------------------------------------------------------------

class _Steps:
    """The long steps of a run, timed, shown as one progress bar on an interactive
    stderr (through the shared :func:`~clusterkit._utils._logging.progress`)."""

    def __init__(self, names, show):
        self.bar = progress(list(names), Reporter("clusterkit", 1 if show else 0),
                            total=len(names), level=1)
        self.names = iter(self.bar)
        self.times = {}

    def __call__(self, function):
        name = next(self.names)
        if hasattr(self.bar, "set_description_str"):
            self.bar.set_description_str(f"[clusterkit] {name}")
        t0 = time.perf_counter()
        out = function()
        self.times[name] = time.perf_counter() - t0
        return out

    def close(self):
        if hasattr(self.bar, "close"):
            self.bar.close()

    def report(self):
        return "time: " + ", ".join(f"{name} {t:.3f} s" for name, t in self.times.items())


def _show_progress(args):
    return not args.quiet and not args.verbose and sys.stderr.isatty()


@contextmanager
def _estimator_errors(args):
    """The estimators' ValueError / TypeError / MemoryError as one-line user errors."""
    try:
        yield
    except MemoryError as exc:
        message = one_line(exc) or "out of memory"
        if args.command == "kmedoids":
            message += f" From the command line: {_clara_command(args)}"
        raise CLIError(message) from None
    except (ValueError, TypeError) as exc:
        raise CLIError(one_line(exc)) from None


def _clara_command(args):
    """The ``clusterkit clara`` command for the same data and options."""
    cmd = ["clusterkit", "clara"] + ([args.data] if args.data else [])
    k = args.n_clusters if args.n_clusters != "auto" else args.max_clusters
    cmd += ["-k", str(k)]
    for flag, value, default in (("--metric", args.metric, "euclidean"),
                                 ("--columns", args.columns, None),
                                 ("--delimiter", args.delimiter, None),
                                 ("--header", args.header, "auto"),
                                 ("--missing", args.missing, "refuse"),
                                 ("-o", args.output, None)):
        if value != default:
            cmd += [flag, value]
    if args.float32:
        cmd.append("--float32")
    return " ".join(shlex.quote(c) for c in cmd)


def _outputs(args, suffix="_labels.csv"):
    """The labels path, once every output path is known to be writable."""
    if args.data is not None and not Path(args.data).exists():
        raise CLIError(f"no such file: {args.data}")  # said first: the data is the point
    labels = args.output
    if labels is None and args.data is not None:
        labels = str(Path(args.data).with_name(Path(args.data).stem + suffix))
    check_output_paths({"-o": labels, "--json": args.json, "--plot": args.plot}, args.data)
    if args.plot:
        check_plot_path(args.plot)
    return labels


def _note(args, notes):
    if not args.quiet:
        for note in notes:
            print(f"clusterkit: {note}", file=sys.stderr)


def _write(args, labels_path, labels, result, nodes=None, what="labels"):
    say = (lambda *a: None) if args.quiet else print
    try:
        if labels_path:
            write_labels(labels_path, labels, nodes)
            say(f"{what} written to {labels_path}")
        if args.json:
            write_json(args.json, result.record)
            say(f"results written to {args.json}")
        if args.plot:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(7, 5), layout="constrained")
            result.draw(fig.subplots())
            fig.savefig(args.plot, dpi=120)
            say(f"figure written to {args.plot}")
    except OSError as exc:
        raise CLIError(f"cannot write the output: {one_line(exc)}") from None


def _run_table(args):
    labels_path = _outputs(args)
    if args.data is None:
        if args.columns or args.delimiter or args.header != "auto":
            raise CLIError("--columns, --delimiter and --header describe a DATA file; give "
                           "one")
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        name, kept, notes = "digits (scikit-learn)", np.ones(len(X), dtype=bool), []
    else:
        table = read_table(args.data, columns=args.columns, delimiter=args.delimiter,
                           header=args.header, missing=args.missing)
        X, y, name, kept, notes = table.X, None, args.data, table.kept, table.notes
    X = X.astype(np.float32 if args.float32 else np.float64)
    check_table_args(args, X, name)
    _note(args, notes)
    fit, names = FAMILIES[args.command]
    steps = _Steps(names, _show_progress(args))
    try:
        with _estimator_errors(args):
            result = fit(args, X, kept, steps)
    finally:
        steps.close()
    if not args.quiet:
        print(f"data: {name}, {X.shape[0]} samples x {X.shape[1]} features")
        print("\n".join(result.lines))
        if y is not None:
            from sklearn.metrics import adjusted_rand_score

            print(f"adjusted Rand index vs the digit labels: "
                  f"{adjusted_rand_score(y, result.labels):.4f}")
        print(steps.report())
    full = np.full(kept.size, -1, dtype=np.intp)
    full[kept] = result.labels
    _write(args, labels_path, full, result)
    return 0


def _run_communities(args):
    labels_path = _outputs(args)
    if args.data is None:
        from .datasets import make_hsbm

        graph, levels = make_hsbm(2, 2, 100, p=[0.02, 0.1, 0.5], random_state=args.seed)
        nodes, name = list(range(graph.shape[0])), "hierarchical block model (make_hsbm)"
    else:
        graph, notes = read_graph(args.data, delimiter=args.delimiter, header=args.header)
        _note(args, notes)
        nodes, name, levels = list(graph.nodes), args.data, None
    fit, names = FAMILIES["communities"]
    steps = _Steps(names, _show_progress(args))
    try:
        with _estimator_errors(args):
            result = fit(args, graph, nodes, levels, steps)
    finally:
        steps.close()
    if not args.quiet:
        print(f"graph: {name}")
        print("\n".join(result.lines + [steps.report()]))
    _write(args, labels_path, result.labels, result, nodes)
    return 0


@contextmanager
def _one_line_warnings(quiet):
    """Warnings as ``clusterkit: warning: ...`` lines on stderr (no source line); none
    with -q."""
    def show(message, category, filename, lineno, file=None, line=None):
        if not quiet:
            print(f"clusterkit: warning: {one_line(message)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def main(argv=None):
    """Run the command line; returns 0, or exits with status 2 on a user error.

    Examples
    --------
    >>> from clusterkit._cli import main
    >>> main(["clara", "-k", "10", "-q"])
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS + ("-h", "--help", "--version"):
        argv.insert(0, "kmedoids")  # the original command line: DATA alone means k-medoids
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # name the subcommand whose options these are not
        parser.subcommands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with _one_line_warnings(args.quiet):
            if args.command == "communities":
                return _run_communities(args)
            return _run_table(args)
    except CLIError as exc:
        print(f"clusterkit: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("clusterkit: interrupted", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
