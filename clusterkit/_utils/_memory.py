"""Estimate the memory an n x n matrix needs before allocating it."""
import os

import numpy as np


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


def _fmt(nbytes):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024


def check_square_matrix_fits(n_samples, dtype, *, fraction=0.9, available=None):
    """Raise MemoryError when an (n_samples, n_samples) matrix of ``dtype`` cannot fit.

    Parameters
    ----------
    n_samples : int
    dtype : numpy dtype
    fraction : float
        Share of the available memory the matrix may take.
    available : int or None
        Bytes available; read from the system when None (the check is skipped when the
        system does not tell).
    """
    itemsize = np.dtype(dtype).itemsize
    need = int(n_samples) * int(n_samples) * itemsize
    avail = available_memory() if available is None else available
    if avail is None or need <= fraction * avail:
        return need
    hint = ""
    if itemsize > 4:
        hint = f" float32 input would halve it ({_fmt(need / 2)});"
    raise MemoryError(
        f"The {n_samples} x {n_samples} dissimilarity matrix needs {_fmt(need)} "
        f"({np.dtype(dtype).name}) but only {_fmt(avail)} is available.{hint} for data this "
        f"large use clusterkit.CLARA or CLARANS, which never build the full matrix."
    )
