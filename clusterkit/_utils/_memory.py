"""The one "will it fit?" guard: estimate an allocation before making it.

Every large allocation clusterkit makes on purpose (the n x n dissimilarity matrix, PPP's
codebook scatter, the community linkage's K x K weights) is checked here first, so the
refusals read alike: what needs how much, how much there is, and what to do instead.
"""
import os

import numpy as np

__all__ = ["available_memory", "format_bytes", "check_fits", "check_square_matrix_fits"]


def available_memory():
    """Bytes of memory available to this process (MemAvailable on Linux), or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(nbytes):
    """``1.5 GiB``-style size.

    Examples
    --------
    >>> from clusterkit._utils._memory import format_bytes
    >>> format_bytes(3 * 2**30)
    '3.0 GiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024


def check_fits(nbytes, what, fix, *, limit=None, available=None, fraction=0.9):
    """Raise MemoryError when an allocation of ``nbytes`` would not fit.

    It does not fit when it exceeds ``limit`` (a cap of the caller's, if any) or
    ``fraction`` of the available memory (skipped when the system does not tell).

    Parameters
    ----------
    nbytes : int
        Size of the planned allocation.
    what : str
        What is allocated, as the subject of the message ("The 5 x 5 ... matrix").
    fix : str
        What the user can do instead, as the end of the message.
    limit : int or None
        Bytes above which the allocation is refused whatever the free memory.
    available : int or None
        Bytes available; read from the system when None.
    fraction : float
        Share of the available memory one allocation may take.

    Returns
    -------
    int
        ``nbytes``, when it fits.
    """
    nbytes = int(nbytes)
    if limit is not None and nbytes > limit:
        raise MemoryError(f"{what} needs {format_bytes(nbytes)}, more than the "
                          f"{format_bytes(limit)} clusterkit allows for it; {fix}")
    avail = available_memory() if available is None else available
    if avail is not None and nbytes > fraction * avail:
        raise MemoryError(f"{what} needs {format_bytes(nbytes)} but only "
                          f"{format_bytes(avail)} is available; {fix}")
    return nbytes


def check_square_matrix_fits(n_samples, dtype, *, available=None):
    """Raise MemoryError when an (n_samples, n_samples) matrix of ``dtype`` cannot fit.

    Parameters
    ----------
    n_samples : int
    dtype : numpy dtype
        The dtype the matrix will really have (non-euclidean metrics build float64).
    available : int or None
        Bytes available; read from the system when None.

    Returns
    -------
    int
        The matrix's size in bytes.
    """
    dtype = np.dtype(dtype)
    need = int(n_samples) * int(n_samples) * dtype.itemsize
    fix = ""
    if dtype.itemsize > 4:
        fix = f"float32 input would halve it ({format_bytes(need / 2)}); "
    fix += ("for data this large use clusterkit.CLARA or CLARANS, which never build the "
            "full matrix.")
    return check_fits(need, f"The {n_samples} x {n_samples} dissimilarity matrix "
                      f"({dtype.name})", fix, available=available)
