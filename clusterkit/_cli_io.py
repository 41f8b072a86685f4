"""Files of the command line: reading tables and graphs, checking and writing outputs.

Every mistake in a user's file is a :class:`CLIError` whose message names the file, the line
(or row) and the column, and the fix; :func:`clusterkit._cli.main` prints it as one line. A
reader never turns a bad cell into NaN: a cell is a number, a missing value (refused, or its
row dropped with ``--missing drop``), or an error.
"""
import csv
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["CLIError", "Table", "DELIMITERS", "TABLE_SUFFIXES", "GRAPH_SUFFIXES",
           "read_table", "read_graph", "check_output_paths", "check_plot_path",
           "write_labels", "write_json", "one_line"]

# --delimiter names and the characters they stand for (None: runs of whitespace)
DELIMITERS = {"comma": ",", "tab": "\t", "semicolon": ";", "whitespace": None}
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
TABLE_SUFFIXES = TEXT_SUFFIXES + (".npy", ".parquet")
EDGE_LIST_SUFFIXES = TEXT_SUFFIXES + (".edgelist", ".edges")
# graph formats networkx reads, by extension: (format name, reader in networkx)
NX_READERS = {
    ".graphml": ("GraphML", "read_graphml"),
    ".gml": ("GML", "read_gml"),
    ".gexf": ("GEXF", "read_gexf"),
    ".adjlist": ("adjacency list", "read_adjlist"),
    ".net": ("Pajek", "read_pajek"),
    ".pajek": ("Pajek", "read_pajek"),
    ".g6": ("graph6", "read_graph6"),
    ".graph6": ("graph6", "read_graph6"),
    ".s6": ("sparse6", "read_sparse6"),
    ".sparse6": ("sparse6", "read_sparse6"),
}
GRAPH_SUFFIXES = EDGE_LIST_SUFFIXES + tuple(NX_READERS)
# cells that mean "no value" (compared lower-case); a parsed NaN is one too
MISSING = {"", "nan", "na", "n/a", "null", "none"}
_SNIFF_LINES = 50


class CLIError(Exception):
    """A user mistake: printed as one ``clusterkit: error: ...`` line, exit status 2."""


def one_line(exc_or_text):
    """The message of an exception (or a text) on one line, whitespace collapsed."""
    return " ".join(str(exc_or_text).split())


@dataclass
class Table:
    """A numeric table read from a file.

    Attributes
    ----------
    X : ndarray of shape (n_kept, n_columns), float64
        The selected columns of the kept rows.
    columns : list of str
        Names of the selected columns (their 0-based index when the file has no header).
    kept : ndarray of shape (n_rows,), bool
        Which rows of the file are in ``X`` (all, unless ``--missing drop`` dropped some).
    notes : list of str
        What the reader decided (header, delimiter, dropped rows), one line each.
    """

    X: np.ndarray
    columns: list
    kept: np.ndarray
    notes: list = field(default_factory=list)


def _existing(path, what, suffixes):
    p = Path(path)
    if not p.exists():
        raise CLIError(f"no such file: {path}")
    if p.is_dir():
        raise CLIError(f"{path} is a folder; give the {what} file itself")
    if p.suffix.lower() not in suffixes:
        raise CLIError(f"unknown extension {p.suffix or '(none)'!r} of {path}; a {what} "
                       f"file ends in {', '.join(suffixes)}")
    return p


# -- text files ------------------------------------------------------------------------------

def _data_lines(p):
    """(line number, text) of the lines that are not blank or comments, and the comments."""
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CLIError(f"{p} is not a UTF-8 text file (byte {exc.start}); save it as UTF-8 "
                       "text, or as .npy") from None
    lines, comments = [], {}
    for number, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("#"):
            comments[number] = s.lstrip("#").strip()
        elif s:
            lines.append((number, line))
    return lines, comments


def _delimiter(lines, forced):
    """The --delimiter name: the forced one, else the first of tab, semicolon, comma that
    every sampled line contains, else whitespace."""
    if forced is not None:
        return forced
    sample = [text for _, text in lines[:_SNIFF_LINES]]
    for name in ("tab", "semicolon", "comma"):
        if sample and all(DELIMITERS[name] in text for text in sample):
            return name
    return "whitespace"


def _split(text, delimiter):
    char = DELIMITERS[delimiter]
    if char is None:
        return text.split()
    return [cell.strip() for cell in next(csv.reader([text], delimiter=char))]


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _describe(delimiter):
    return "whitespace-separated" if delimiter == "whitespace" else f"{delimiter}-separated"


def _split_rows(p, lines, delimiter):
    rows = [_split(text, delimiter) for _, text in lines]
    width = len(rows[0])
    for (number, _), row in zip(lines, rows):
        if len(row) != width:
            raise CLIError(f"{p} line {number} has {len(row)} fields but line {lines[0][0]} "
                           f"has {width} ({_describe(delimiter)}); fix the line, or force "
                           "the delimiter with --delimiter")
    return rows


def select_columns(names, spec):
    """Positions of the ``--columns`` spec ("a,c" or "0,2") among ``names``."""
    if spec is None:
        return list(range(len(names)))
    picked = []
    for token in (t.strip() for t in spec.split(",")):
        if token in names:
            picked.append(names.index(token))
        elif token.isdigit() and int(token) < len(names):
            picked.append(int(token))
        else:
            raise CLIError(f"--columns: no column {token!r}; the columns are "
                           f"{', '.join(names)} (or 0-based indices 0..{len(names) - 1})")
    return picked


def _column_name(names, j, has_header):
    return f"column {names[j]!r} (index {j})" if has_header else f"column {j}"


def _convert(rows, picked, where, column_name, missing):
    """Float matrix of the picked cells; the missing rows (a bool mask) or an error.

    ``where(i)`` names row i for the messages ("data.csv line 7").
    """
    try:  # the fast path: numpy parses every cell
        X = np.array([[row[j] for j in picked] for row in rows], dtype=np.float64)
        if np.isfinite(X).all():
            return X, np.zeros(len(rows), dtype=bool)
    except ValueError:
        pass
    X = np.empty((len(rows), len(picked)))
    gone = np.zeros(len(rows), dtype=bool)
    for i, row in enumerate(rows):
        for c, j in enumerate(picked):
            cell = row[j]
            value = math.nan if cell.lower() in MISSING else None
            if value is None:
                try:
                    value = float(cell)
                except ValueError:
                    fix = ("write decimals with a point" if _is_number(cell.replace(",", "."))
                           else "select the numeric columns with --columns")
                    raise CLIError(f"{where(i)}, {column_name(j)}: {cell!r} is not a number; "
                                   f"{fix}") from None
                if math.isinf(value):
                    raise CLIError(f"{where(i)}, {column_name(j)}: {cell!r} is infinite; "
                                   "replace it by a finite number")
            if math.isnan(value):
                if missing == "refuse":
                    what = "empty cell" if cell == "" else f"missing value {cell!r}"
                    raise CLIError(f"{where(i)}, {column_name(j)}: {what}; fill it in, or "
                                   "pass --missing drop to skip the rows with missing values")
                gone[i] = True
            X[i, c] = value
    return X, gone


def _read_text_table(p, columns, delimiter, header, missing):
    lines, comments = _data_lines(p)
    if not lines:
        raise CLIError(f"{p} holds no data (it is empty or has only comment lines)")
    delimiter = _delimiter(lines, delimiter)
    rows = _split_rows(p, lines, delimiter)
    numbers = [n for n, _ in lines]
    first = rows[0]
    has_header = header == "yes" or (header == "auto"
                                     and not any(_is_number(c) for c in first))
    names, source = None, ""
    if has_header:
        names, rows, numbers = first, rows[1:], numbers[1:]
        source = f"header line {lines[0][0]}: "
        if not rows:
            raise CLIError(f"{p} has a header line ({', '.join(names)}) but no data rows")
    elif header == "auto" and (lines[0][0] - 1) in comments:
        # numpy's savetxt(header=...) writes the column names as a comment line
        commented = _split(comments[lines[0][0] - 1], delimiter)
        if len(commented) == len(first) and not any(_is_number(c) for c in commented):
            names, has_header = commented, True
            source = f"header from comment line {lines[0][0] - 1}: "
    if names is None:
        names = [str(j) for j in range(len(first))]
    picked = select_columns(names, columns)
    X, gone = _convert(rows, picked, lambda i: f"{p} line {numbers[i]}",
                       lambda j: _column_name(names, j, has_header), missing)
    note = (f"read {p.name}: {len(rows)} rows x {len(names)} columns, {_describe(delimiter)}, "
            + (f"{source}{', '.join(names)}" if has_header else
               f"no header (line {lines[0][0]} is data)"))
    return X, [names[j] for j in picked], gone, [note]


# -- binary tables ---------------------------------------------------------------------------

def _read_npy(p, columns, missing):
    try:
        A = np.load(p, allow_pickle=False)
    except ValueError as exc:
        raise CLIError(f"cannot read {p} as a .npy array: {one_line(exc)}") from None
    if A.dtype.kind not in "biuf":
        raise CLIError(f"{p} holds a {A.dtype} array; the data must be numbers "
                       "(bool, int or float)")
    if A.ndim == 1:
        A = A[:, None]
    if A.ndim != 2:
        raise CLIError(f"{p} holds an array of shape {A.shape}; the data must be a 2-D "
                       "table, one row per sample")
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise CLIError(f"{p} holds an empty array of shape {A.shape}")
    names = [str(j) for j in range(A.shape[1])]
    picked = select_columns(names, columns)
    X = A[:, picked].astype(np.float64)
    gone = _check_finite(X, lambda i: f"{p} row {i} (0-based)", lambda c: f"column {picked[c]}",
                         missing)
    return X, [names[j] for j in picked], gone, [
        f"read {p.name}: {A.shape[0]} rows x {A.shape[1]} columns ({A.dtype})"]


def _check_finite(X, where, column_name, missing):
    """Rows holding NaN (refused, or returned as a mask); infinite values are errors."""
    inf = np.isinf(X)
    if inf.any():
        i, c = np.argwhere(inf)[0]
        raise CLIError(f"{where(i)}, {column_name(c)}: infinite value; replace it by a "
                       "finite number")
    nan = np.isnan(X)
    if nan.any() and missing == "refuse":
        i, c = np.argwhere(nan)[0]
        raise CLIError(f"{where(i)}, {column_name(c)}: missing value (NaN); fill it in, or "
                       "pass --missing drop to skip the rows with missing values")
    return nan.any(axis=1)


def _read_parquet(p, columns, missing):
    try:
        import pandas as pd

        df = pd.read_parquet(p)
    except ImportError:
        raise CLIError("reading .parquet needs pandas and pyarrow: pip install pandas "
                       "pyarrow (or save the table as .csv or .npy)") from None
    except Exception as exc:  # pyarrow's errors have no common base class
        raise CLIError(f"cannot read {p} as Parquet: {one_line(exc)}") from None
    names = [str(c) for c in df.columns]
    if df.shape[0] == 0 or not names:
        raise CLIError(f"{p} holds an empty table ({df.shape[0]} rows x {len(names)} "
                       "columns)")
    picked = select_columns(names, columns)
    for j in picked:
        col = df.iloc[:, j]
        if col.dtype.kind not in "biuf":
            bad = next((i for i, v in enumerate(col) if not _is_number(str(v))), 0)
            raise CLIError(f"{p} row {bad} (0-based), column {names[j]!r}: "
                           f"{str(col.iloc[bad])!r} is not a number ({col.dtype} column); "
                           "select the numeric columns with --columns")
    X = df.iloc[:, picked].to_numpy(dtype=np.float64, na_value=np.nan)
    gone = _check_finite(X, lambda i: f"{p} row {i} (0-based)",
                         lambda c: f"column {names[picked[c]]!r}", missing)
    return X, [names[j] for j in picked], gone, [
        f"read {p.name}: {df.shape[0]} rows x {len(names)} columns, header: "
        + ", ".join(names)]


def read_table(path, *, columns=None, delimiter=None, header="auto", missing="refuse"):
    """Read a numeric table (.csv, .tsv, .txt, .npy or .parquet) for clustering.

    Parameters
    ----------
    path : str or Path
    columns : str or None
        ``--columns``: comma-separated names or 0-based indices; None takes every column.
    delimiter : {"comma", "tab", "semicolon", "whitespace"} or None
        Text files only; None sniffs it.
    header : {"auto", "yes", "no"}
        Text files only. ``"auto"``: the first line is a header when none of its cells is
        a number (or, without one, a comment line just above the data with as many names
        as columns, as ``numpy.savetxt(header=...)`` writes it).
    missing : {"refuse", "drop"}
        What a row with an empty cell, NaN, NA or null gets: an error, or left out.

    Returns
    -------
    Table

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from clusterkit._cli_io import read_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = path.write_text("# two points\\nx;y\\n1;2\\n3;4\\n")
    >>> table = read_table(path)
    >>> table.X.tolist(), table.columns
    ([[1.0, 2.0], [3.0, 4.0]], ['x', 'y'])
    >>> table.notes
    ['read points.csv: 2 rows x 2 columns, semicolon-separated, header line 2: x, y']
    """
    p = _existing(path, "data", TABLE_SUFFIXES)
    suffix = p.suffix.lower()
    if suffix == ".npy":
        X, names, gone, notes = _read_npy(p, columns, missing)
    elif suffix == ".parquet":
        X, names, gone, notes = _read_parquet(p, columns, missing)
    else:
        X, names, gone, notes = _read_text_table(p, columns, delimiter, header, missing)
    if gone.any():
        if gone.all():
            raise CLIError(f"every row of {p} has a missing value; nothing is left to "
                           "cluster")
        notes.append(f"dropped {int(gone.sum())} of {gone.size} rows with missing values "
                     "(--missing drop); their label is -1")
    return Table(X[~gone], names, ~gone, notes)


# -- graphs ----------------------------------------------------------------------------------

def _node(cell, as_int):
    return int(cell) if as_int else cell


def _is_int(cell):
    try:
        int(cell)
    except ValueError:
        return False
    return True


def _read_edge_list(p, delimiter, header):
    import networkx as nx

    lines, _ = _data_lines(p)
    if not lines:
        raise CLIError(f"{p} holds no edges (it is empty or has only comment lines)")
    delimiter = _delimiter(lines, delimiter)
    rows = _split_rows(p, lines, delimiter)
    numbers = [n for n, _ in lines]
    width = len(rows[0])
    if width not in (2, 3):
        raise CLIError(f"{p} line {numbers[0]} has {width} field{'s' * (width != 1)} "
                       f"({_describe(delimiter)}); "
                       "an edge list has 2 or 3: source, target[, weight]")
    first, rest = rows[0], rows[1:]
    if header == "auto":
        # node names can be any text: a first line is a header when its weight is not a
        # number, or when every other line names its nodes by integers and it does not
        weight_word = width == 3 and not _is_number(first[2])
        int_nodes = (rest and all(_is_int(c) for r in rest for c in r[:2])
                     and not all(_is_int(c) for c in first[:2]))
        has_header = bool(weight_word or int_nodes)
    else:
        has_header = header == "yes"
    if has_header:
        rows, numbers = rest, numbers[1:]
        if not rows:
            raise CLIError(f"{p} has a header line ({', '.join(first)}) but no edges")
    as_int = all(_is_int(c) for r in rows for c in r[:2])
    G = nx.Graph()
    for number, row in zip(numbers, rows):
        u, v = _node(row[0], as_int), _node(row[1], as_int)
        if width == 2:
            G.add_edge(u, v)
            continue
        try:
            w = float(row[2])
        except ValueError:
            raise CLIError(f"{p} line {number}, column 2 (weight): {row[2]!r} is not a "
                           "number") from None
        if not (math.isfinite(w) and w >= 0):
            raise CLIError(f"{p} line {number}, column 2 (weight): {row[2]!r}; a weight is "
                           "a finite number >= 0")
        G.add_edge(u, v, weight=w)
    return G, (f"edge list, {_describe(delimiter)}, "
               + (f"header: {', '.join(first)}" if has_header else "no header")
               + (", weights from column 2" if width == 3 else ", unweighted"))


def read_graph(path, *, delimiter=None, header="auto"):
    """Read a graph: an edge list (.csv, .tsv, .txt, .edgelist, .edges: source, target and
    an optional weight per line) or a file networkx reads (.graphml, .gml, .gexf, .adjlist,
    .net / .pajek, .g6, .s6).

    Returns
    -------
    G : networkx.Graph
        Undirected (a directed file is read as undirected, and the note says so).
    notes : list of str
        One line: what was read and how.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from clusterkit._cli_io import read_graph
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "edges.csv"
    >>> _ = path.write_text("source,target,weight\\na,b,1\\nb,c,2.5\\n")
    >>> G, notes = read_graph(path)
    >>> sorted(G.edges(data="weight"))
    [('a', 'b', 1.0), ('b', 'c', 2.5)]
    >>> print(notes[0])
    read edges.csv: edge list, comma-separated, header: source, target, weight, weights from \
column 2, 3 nodes, 2 edges
    """
    import networkx as nx

    p = _existing(path, "graph", GRAPH_SUFFIXES)
    suffix = p.suffix.lower()
    if suffix in NX_READERS:
        fmt, reader = NX_READERS[suffix]
        try:
            G = getattr(nx, reader)(p)
        except Exception as exc:  # the readers raise parser-specific errors
            raise CLIError(f"cannot read {p} as {fmt}: {one_line(exc) or type(exc).__name__}"
                           ) from None
        how = fmt
        if G.is_directed():
            G = G.to_undirected()
            how += ", directed: edges read as undirected"
    else:
        G, how = _read_edge_list(p, delimiter, header)
    if G.number_of_nodes() == 0:
        raise CLIError(f"{p} holds an empty graph (0 nodes)")
    if G.number_of_edges() == 0:
        raise CLIError(f"{p} holds a graph with {G.number_of_nodes()} nodes but no edges; "
                       "communities need edges")
    return G, [f"read {p.name}: {how}, {G.number_of_nodes()} nodes, "
               f"{G.number_of_edges()} edges"]


# -- outputs ---------------------------------------------------------------------------------

def check_output_paths(outputs, data=None):
    """Refuse output paths that cannot be written, before anything is computed.

    ``outputs`` maps an option name (``"-o"``, ``"--json"``) to a path or None.
    """
    seen = {}
    data = Path(data).resolve() if data is not None else None
    for flag, path in outputs.items():
        if path is None:
            continue
        p = Path(path)
        if p.is_dir():
            raise CLIError(f"{flag} {path} is a folder; give a file name")
        if not p.parent.is_dir():
            raise CLIError(f"{flag} {path}: the folder {p.parent} does not exist; create it "
                           "first or choose another path")
        if not os.access(p.parent, os.W_OK):
            raise CLIError(f"{flag} {path}: the folder {p.parent} is not writable")
        if data is not None and p.resolve() == data:
            raise CLIError(f"{flag} {path} would overwrite the input data; choose another "
                           "file name")
        if p.resolve() in seen:
            raise CLIError(f"{flag} and {seen[p.resolve()]} both write {path}; give each its "
                           "own file")
        seen[p.resolve()] = flag


def check_plot_path(path):
    """Refuse ``--plot`` early when matplotlib is missing or cannot write that format."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError("--plot needs matplotlib: pip install 'clusterkit[plot]'") from None
    formats = Figure().canvas.get_supported_filetypes()
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        what = f"{suffix!r} files" if suffix else "a file without an extension"
        raise CLIError(f"--plot {path}: matplotlib cannot write {what}; use .png, .pdf or "
                       ".svg")


def write_labels(path, labels, nodes=None):
    """The labels: ``np.save`` for a .npy path, else text with a header line (``label``,
    or ``node,label`` when ``nodes`` are given)."""
    p = Path(path)
    labels = np.asarray(labels)
    if p.suffix.lower() == ".npy":
        np.save(p, labels)
        return
    with open(p, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        if nodes is None:
            out.writerow(["label"])
            out.writerows([int(v)] for v in labels)
        else:
            out.writerow(["node", "label"])
            out.writerows([n, int(v)] for n, v in zip(nodes, labels))


def _jsonable(value):
    """Plain Python for json: arrays as lists, NaN as null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, obj):
    """``obj`` as indented JSON (numpy values converted, NaN written as null)."""
    Path(path).write_text(json.dumps(_jsonable(obj), indent=2, allow_nan=False) + "\n")
