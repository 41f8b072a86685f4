"""The command line does what the README and ``clusterkit --help`` say.

A user mistake is one ``clusterkit: error: ...`` line on stderr, exit status 2, no
traceback and no output file; every family's subcommand writes its labels, JSON and figure.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from clusterkit._cli import main

ROOT = Path(__file__).resolve().parent.parent


def blobs(n_per=20, seed=0):
    """Three well separated groups of ``n_per`` points in 2-D."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return np.vstack([c + rng.normal(scale=0.3, size=(n_per, 2)) for c in centers])


def write_csv(path, X, header="a,b"):
    np.savetxt(path, X, delimiter=",", header=header, comments="")
    return path


def hsbm_edge_list(path):
    from clusterkit.datasets import make_hsbm

    A, levels = make_hsbm(2, 2, 30, p=[0.02, 0.1, 0.6], random_state=0)
    rows, cols = sp.triu(A, 1).nonzero()
    path.write_text("source,target\n" + "".join(f"{r},{c}\n" for r, c in zip(rows, cols)))
    return path, levels


def run_failing(argv, capsys):
    """Run main in-process, expecting a user error: (exit code, stderr lines, stdout)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return exc.value.code, err.splitlines(), out


# -- the original command line ---------------------------------------------------------------

def test_default_run_clusters_digits(capsys):
    assert main(["-k", "10", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "1797 samples x 64 features" in out
    assert "medoids (row indices)" in out and "silhouette" in out and "time:" in out


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_user_file_gets_its_labels_written(tmp_path, capsys, suffix):
    X = np.vstack([np.zeros((20, 2)), np.full((20, 2), 10.0)])
    X += np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    path = tmp_path / f"points{suffix}"
    if suffix == ".csv":
        np.savetxt(path, X, delimiter=",", header="a,b")  # numpy writes "# a,b"
    else:
        np.save(path, X)
    assert main([str(path), "-k", "2", "--method", "pam", "--float32"]) == 0
    labels = np.loadtxt(tmp_path / "points_labels.csv", dtype=int, skiprows=1)
    assert labels.shape == (40,)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1
    assert labels[0] != labels[-1]
    if suffix == ".csv":  # numpy's commented header names the columns
        assert "header from comment line 1: a, b" in capsys.readouterr().err


def test_missing_file_is_a_clear_error(capsys):
    code, err, _ = run_failing(["/nonexistent/data.csv"], capsys)
    assert code == 2 and err == ["clusterkit: error: no such file: /nonexistent/data.csv"]


@pytest.mark.parametrize("metric, built", [("euclidean", np.float32),
                                           ("manhattan", np.float64)])
def test_memory_guard_checks_the_matrix_really_built(tmp_path, monkeypatch, metric, built):
    """scikit-learn builds float32 only for the euclidean metric: with --float32 and another
    metric, the n x n matrix is float64 first, and that is what must fit."""
    import clusterkit._medoids._engine as engine

    checked = []
    real = engine.check_square_matrix_fits
    monkeypatch.setattr(engine, "check_square_matrix_fits",
                        lambda n, dtype: checked.append((n, np.dtype(dtype))) or real(n, dtype))
    path = tmp_path / "points.npy"
    np.save(path, np.random.default_rng(0).normal(size=(30, 3)))
    assert main([str(path), "-k", "2", "--float32", "--metric", metric]) == 0
    assert checked == [(30, np.dtype(built))]


# -- user mistakes -----------------------------------------------------------------------------

# (id, {file name: content}, arguments, a word the error must contain); "DIR" is tmp_path
BAD_INPUTS = [
    ("missing file", {}, ["DIR/nope.csv"], "no such file"),
    ("empty file", {"e.csv": ""}, ["DIR/e.csv"], "holds no data"),
    ("header only", {"h.csv": "a,b\n"}, ["DIR/h.csv"], "no data rows"),
    ("string column", {"s.csv": "a,b\n1,2\n3,x\n"}, ["DIR/s.csv", "-k", "1"],
     "line 3, column 'b' (index 1): 'x' is not a number"),
    ("empty cell", {"c.csv": "a,b\n1,2\n3,\n"}, ["DIR/c.csv", "-k", "1"],
     "line 3, column 'b' (index 1): empty cell"),
    ("NaN", {"n.csv": "1 2\nNaN 4\n"}, ["DIR/n.csv", "-k", "1"],
     "line 2, column 0: missing value 'NaN'"),
    ("NaN in npy", {"n.npy": np.array([[1.0, np.nan], [2.0, 3.0]])}, ["DIR/n.npy", "-k", "1"],
     "row 0 (0-based), column 1: missing value (NaN)"),
    ("ragged rows", {"r.csv": "1,2\n3,4,5\n"}, ["DIR/r.csv"], "line 2 has 3 fields"),
    ("k = 0", {"p.csv": "BLOBS"}, ["DIR/p.csv", "-k", "0"], "0 must be 1 or more"),
    ("k > n", {"p.csv": "BLOBS"}, ["DIR/p.csv", "-k", "61"],
     "-k 61 is more than the 60 rows"),
    ("bogus metric", {"p.csv": "BLOBS"}, ["DIR/p.csv", "--metric", "bogus"],
     "--metric 'bogus' is not a metric"),
    ("missing folder", {"p.csv": "BLOBS"}, ["DIR/p.csv", "-o", "DIR/no/labels.csv"],
     "does not exist"),
    ("json into missing folder", {"p.csv": "BLOBS"},
     ["clara", "DIR/p.csv", "-k", "3", "--json", "DIR/no/r.json"], "does not exist"),
    ("overwrite input", {"p.csv": "BLOBS"}, ["DIR/p.csv", "-o", "DIR/p.csv"],
     "would overwrite the input"),
    ("unknown extension", {"p.xlsx": "1,2\n"}, ["DIR/p.xlsx"], "unknown extension '.xlsx'"),
    ("unknown column", {"p.csv": "BLOBS"}, ["ppp", "DIR/p.csv", "--columns", "a,z"],
     "--columns: no column 'z'"),
    ("plot format", {"p.csv": "BLOBS"}, ["DIR/p.csv", "--plot", "DIR/f.xyz"],
     "cannot write 'xyz' files"),
    ("option of another family", {"p.csv": "BLOBS"}, ["ppp", "DIR/p.csv", "-k", "3"],
     "unrecognized arguments: -k 3 (see clusterkit ppp --help)"),
    ("estimator refuses", {"p.csv": "BLOBS"},
     ["clara", "DIR/p.csv", "-k", "3", "--n-sampling", "2"], "n_sampling=2 must be between"),
    ("bad graph file", {"g.graphml": "<graphml><oops"}, ["communities", "DIR/g.graphml"],
     "cannot read"),
    ("graph without edges", {"g.gml": 'graph [ node [ id 0 label "a" ] node [ id 1 label "b" ] ]'},
     ["communities", "DIR/g.gml"], "2 nodes but no edges"),
    ("edge list with one column", {"g.edgelist": "a\nb\n"}, ["communities", "DIR/g.edgelist"],
     "an edge list has 2 or 3"),
    ("bad weight", {"g.csv": "1,2,0.5\n2,3,x\n"}, ["communities", "DIR/g.csv"],
     "line 2, column 2 (weight): 'x' is not a number"),
    ("cut above the tree", {"g.csv": "HSBM"}, ["communities", "DIR/g.csv", "--cut", "50"],
     "--cut 50 is more than the"),
]


def make_files(tmp_path, files):
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, np.ndarray):
            np.save(path, content)
        elif content == "BLOBS":
            write_csv(path, blobs())
        elif content == "HSBM":
            hsbm_edge_list(path)
        else:
            path.write_text(content)


@pytest.mark.parametrize("files, argv, says", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_a_mistake_is_one_line_exit_2_and_no_output(tmp_path, capsys, files, argv, says):
    make_files(tmp_path, files)
    before = set(tmp_path.rglob("*"))
    argv = [a.replace("DIR", str(tmp_path)) for a in argv]
    code, err, out = run_failing(argv + ["-q"] if "-k 3" not in says else argv, capsys)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("clusterkit: error: "), err
    assert says in err[0]
    assert out == ""
    assert set(tmp_path.rglob("*")) == before  # no labels, JSON or figure written


@pytest.mark.parametrize("files, argv", [
    ({}, ["DIR/nope.csv"]),
    ({"s.csv": "a,b\n1,2\n3,x\n"}, ["DIR/s.csv", "-k", "1"]),
], ids=["missing file", "string column"])
def test_a_mistake_prints_no_traceback_from_the_real_command(tmp_path, files, argv):
    make_files(tmp_path, files)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [a.replace("DIR", str(tmp_path)) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "clusterkit", *argv], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("clusterkit: error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)


def test_a_matrix_too_large_names_the_clara_command(tmp_path, capsys, monkeypatch):
    import clusterkit._utils._memory as memory

    monkeypatch.setattr(memory, "available_memory", lambda: 1000)
    path = write_csv(tmp_path / "points.csv", blobs())
    code, err, _ = run_failing([str(path), "-k", "3", "--columns", "b", "-q"], capsys)
    assert code == 2 and len(err) == 1
    assert "60 x 60 dissimilarity matrix" in err[0]
    assert err[0].endswith(f"From the command line: clusterkit clara {path} -k 3 "
                           "--columns b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["points.csv"]


# -- every family ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, keys", [
    (["kmedoids", "-k", "3"], {"medoids", "n_clusters", "loss", "silhouette"}),
    (["clara", "-k", "3"], {"medoids", "n_clusters", "loss", "sample_losses"}),
    (["clarans", "-k", "3"], {"medoids", "n_clusters", "loss", "local_losses"}),
    (["ppp", "--covariance-type", "spherical"], {"n_clusters", "tree", "linkage"}),
])
def test_every_table_family_writes_labels_json_and_figure(tmp_path, capsys, argv, keys):
    data = write_csv(tmp_path / "points.csv", blobs())
    out = tmp_path / "out"
    out.mkdir()
    assert main([argv[0], str(data), *argv[1:], "-o", str(out / "labels.csv"),
                 "--json", str(out / "r.json"), "--plot", str(out / "f.png")]) == 0
    labels = np.loadtxt(out / "labels.csv", dtype=int, skiprows=1)
    assert (out / "labels.csv").read_text().startswith("label\n")
    assert labels.shape == (60,)
    # the three groups are found
    assert [len(set(labels[i:i + 20])) for i in (0, 20, 40)] == [1, 1, 1]
    assert len(set(labels)) == 3
    record = json.loads((out / "r.json").read_text())
    assert keys <= set(record) and record["n_clusters"] == 3
    if "medoids" in record:  # row indices of the file: one medoid in each group
        assert sorted(m // 20 for m in record["medoids"]) == [0, 1, 2]
    assert (out / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "f.png").stat().st_size > 5000
    assert "read points.csv: 60 rows x 2 columns" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["agglomerative", "divisive"])
def test_communities_of_an_edge_list_recover_the_block_model(tmp_path, capsys, method):
    from clusterkit.community import exact_recovery

    edges, levels = hsbm_edge_list(tmp_path / "edges.csv")
    out = tmp_path / "labels.csv"
    assert main(["communities", str(edges), "--method", method, "-o", str(out),
                 "--json", str(tmp_path / "tree.json"),
                 "--plot", str(tmp_path / "tree.png")]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "node,label" and len(lines) == 1 + 120
    nodes, labels = np.array([line.split(",") for line in lines[1:]], dtype=int).T
    assert exact_recovery(levels[-1][nodes], labels)
    record = json.loads((tmp_path / "tree.json").read_text())
    assert record["n_communities"] == 4 and np.shape(record["linkage"]) == (3, 4)
    assert len(record["nodes"]) == len(record["labels"]) == 120
    assert (tmp_path / "tree.png").read_bytes()[:4] == b"\x89PNG"


def test_communities_cut_and_networkx_formats(tmp_path):
    import networkx as nx

    from clusterkit.datasets import make_hsbm

    A, levels = make_hsbm(2, 2, 30, p=[0.02, 0.1, 0.6], random_state=0)
    G = nx.relabel_nodes(nx.from_scipy_sparse_array(A), lambda i: f"n{i}")
    nx.write_graphml(G, tmp_path / "g.graphml")
    out = tmp_path / "top.npy"
    assert main(["communities", str(tmp_path / "g.graphml"), "--cut", "2", "-o", str(out),
                 "-q"]) == 0
    top = np.load(out)  # .npy: a NumPy array, in the node order of the file
    assert top.shape == (120,) and len(set(top)) == 2
    assert len(set(top[:60])) == 1 and len(set(top[60:])) == 1


# -- reading tables ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, note", [
    ("x;y\n1;2\n3;4\n5;6\n", "semicolon-separated, header line 1: x, y"),
    ("# made by hand\nx\ty\n1\t2\n3\t4\n5\t6\n", "tab-separated, header line 2: x, y"),
    ("1 2\n3 4\n5  6\n", "whitespace-separated, no header (line 1 is data)"),
])
def test_the_delimiter_and_the_header_are_found_and_said(tmp_path, capsys, text, note):
    path = tmp_path / "t.txt"
    path.write_text(text)
    assert main([str(path), "-k", "1"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"clusterkit: read t.txt: 3 rows x 2 columns, {note}"]


def test_columns_by_name_or_index_skip_a_text_column(tmp_path, capsys):
    X = blobs()
    rows = [f"id{i},{a},{b}" for i, (a, b) in enumerate(X)]
    path = tmp_path / "named.csv"
    path.write_text("name,a,b\n" + "\n".join(rows) + "\n")
    for columns in ("a,b", "1,2", "a,2"):
        out = tmp_path / f"l{columns}.npy"
        assert main(["clara", str(path), "-k", "3", "--columns", columns, "-o", str(out),
                     "-q"]) == 0
        assert len(set(np.load(out))) == 3
    code, err, _ = run_failing([str(path), "-k", "3", "-q"], capsys)
    assert code == 2 and "column 'name' (index 0): 'id0' is not a number" in err[0]


def test_missing_drop_keeps_the_row_order_with_minus_one(tmp_path, capsys):
    X = blobs()
    lines = [f"{a},{b}" for a, b in X]
    lines[5], lines[30] = "NA,1", f"{X[30, 0]},"
    path = tmp_path / "holes.csv"
    path.write_text("a,b\n" + "\n".join(lines) + "\n")
    assert main([str(path), "-k", "3", "--missing", "drop", "--json",
                 str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    assert "dropped 2 of 60 rows with missing values" in err
    labels = np.loadtxt(tmp_path / "holes_labels.csv", dtype=int, skiprows=1)
    assert labels.shape == (60,)
    assert labels[5] == labels[30] == -1 and (np.delete(labels, [5, 30]) >= 0).all()
    medoids = json.loads((tmp_path / "r.json").read_text())["medoids"]
    assert all(labels[m] >= 0 for m in medoids)  # medoids are rows of the file


def test_parquet_is_read_or_refused_clearly(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "t.parquet"
    try:
        pd.DataFrame(blobs(), columns=["a", "b"]).to_parquet(path)
    except ImportError:
        path.write_bytes(b"PAR1")
        code, err, _ = run_failing([str(path)], capsys)
        assert code == 2 and "pip install" in err[0]
        return
    assert main(["ppp", str(path), "-q", "-o", str(tmp_path / "l.csv")]) == 0


# -- help and progress -------------------------------------------------------------------------

def test_help_of_every_subcommand_shows_the_defaults(capsys):
    for command, default in [("kmedoids", "(default: fasterpam)"), ("clara", "(default: 5)"),
                             ("clarans", "(default: fast)"), ("ppp", "(default: bic)"),
                             ("communities", "(default: agglomerative)")]:
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert default in capsys.readouterr().out


def test_progress_bar_on_an_interactive_terminal_only(tmp_path, capsys, monkeypatch):
    pytest.importorskip("tqdm")
    import clusterkit._cli as cli

    path = write_csv(tmp_path / "points.csv", blobs())
    monkeypatch.setattr(cli, "_show_progress", lambda args: not args.quiet)
    assert main([str(path), "-k", "3"]) == 0
    assert "[clusterkit] k-medoids" in capsys.readouterr().err
    assert main([str(path), "-k", "3", "-q"]) == 0
    assert capsys.readouterr() == ("", "")  # -q: nothing but errors


def test_a_warning_is_one_line_and_quiet_silences_it(tmp_path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("0\n0\n0\n1\n")  # 2 distinct points for 3 medoids
    assert main([str(path), "-k", "3"]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warning) == 1
    assert warning[0].startswith("clusterkit: warning: Only 2 of the 3 medoids")
    assert main([str(path), "-k", "3", "-q"]) == 0
    assert capsys.readouterr().err == ""
