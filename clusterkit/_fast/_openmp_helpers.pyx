"""Thread count of the kernels (the OpenMP shim itself is in _openmp_helpers.pxd).

The number of threads follows ``threadpoolctl`` limits and ``OMP_NUM_THREADS`` exactly
like scikit-learn's ``_openmp_effective_n_threads``: both act on the OpenMP runtime that
``omp_get_max_threads`` reads.
"""
import os


def openmp_enabled():
    """Return True when the kernels were compiled with OpenMP support."""
    return bool(CK_OPENMP)


def effective_n_threads(n_threads=None):
    """Number of threads a kernel should use.

    Parameters
    ----------
    n_threads : int or None
        None: the OpenMP runtime's current maximum (honours ``OMP_NUM_THREADS`` and
        ``threadpoolctl``), capped at the number of CPUs. A positive int is used as is;
        a negative int counts back from the number of CPUs (-1 = all).

    Returns
    -------
    int
        At least 1; always 1 when the extension was built without OpenMP.
    """
    if n_threads is not None:
        n_threads = int(n_threads)
        if n_threads == 0:
            raise ValueError("n_threads=0 is not valid: use None, a positive or a negative "
                             "int")
    if not CK_OPENMP:
        return 1
    cpus = os.cpu_count() or 1
    if n_threads is None:
        return max(1, min(omp_get_max_threads(), cpus))
    if n_threads < 0:
        return max(1, cpus + 1 + n_threads)
    return n_threads
