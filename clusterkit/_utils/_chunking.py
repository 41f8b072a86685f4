"""The one rule for how many rows a chunked computation takes at a time.

Every chunked loop in clusterkit (distances to the medoids, mixture log-densities, codebook
scatter, rows cached by CLARANS) sizes its chunks from scikit-learn's ``working_memory``
setting, as :func:`sklearn.metrics.pairwise_distances_chunked` does, so one knob bounds them
all::

    import sklearn
    with sklearn.config_context(working_memory=256):  # MiB
        CLARA(n_clusters=100).fit(X)
"""
import sklearn

__all__ = ["chunk_n_rows", "row_chunks", "working_memory_bytes"]


def working_memory_bytes():
    """Bytes a chunk may take: ``sklearn.get_config()["working_memory"]`` MiB."""
    return int(sklearn.get_config()["working_memory"] * 2**20)


def chunk_n_rows(row_bytes, n_rows=None):
    """Rows per chunk when each row of the chunk's working arrays takes ``row_bytes``.

    At least 1 (a single row larger than the working memory still runs, one at a time),
    at most ``n_rows``.

    Parameters
    ----------
    row_bytes : int
        Bytes of temporaries one row needs (e.g. ``8 * k`` for float64 distances to k
        medoids).
    n_rows : int or None
        Upper bound (the number of rows there are).

    Returns
    -------
    int

    Examples
    --------
    >>> import sklearn
    >>> from clusterkit._utils._chunking import chunk_n_rows
    >>> with sklearn.config_context(working_memory=1):
    ...     chunk_n_rows(8 * 1024), chunk_n_rows(8 * 1024, n_rows=100)
    (128, 100)
    """
    rows = max(1, working_memory_bytes() // max(int(row_bytes), 1))
    if n_rows is not None:
        rows = max(1, min(rows, int(n_rows)))
    return rows


def row_chunks(n_rows, row_bytes):
    """``(start, stop)`` of consecutive chunks covering ``range(n_rows)``."""
    step = chunk_n_rows(row_bytes, n_rows)
    for start in range(0, n_rows, step):
        yield start, min(n_rows, start + step)
