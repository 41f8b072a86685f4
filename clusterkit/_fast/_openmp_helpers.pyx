"""Thread count of the kernels (the OpenMP shim itself is in _openmp_helpers.pxd).

The number of threads follows ``threadpoolctl`` limits and ``OMP_NUM_THREADS`` exactly
like scikit-learn's ``_openmp_effective_n_threads``: both act on the OpenMP runtime that
``omp_get_max_threads`` reads.
"""
import os


def openmp_enabled():
    """Return True when the kernels were compiled with OpenMP support."""
    return bool(CK_OPENMP)


def idle_cpus(cpus, load):
    """CPUs left by other work: ``cpus`` minus the 1-minute load beyond this process's own
    one runnable thread, rounded up from 0.4, at least 1 (a core another job uses half
    the time still helps: two threads were 1.5x faster than one at a load of 1.5 on 2
    cores, and 0.6x at a load of 2.0).

    Examples
    --------
    >>> from clusterkit._fast._openmp_helpers import idle_cpus
    >>> idle_cpus(2, 1.0), idle_cpus(2, 2.8), idle_cpus(16, 5.2)
    (2, 1, 12)
    """
    return max(1, int(cpus - max(0.0, load - 1.0) + 0.6))


def effective_n_threads(n_threads=None):
    """Number of threads a kernel should use.

    Parameters
    ----------
    n_threads : int or None
        None: the OpenMP runtime's current maximum (honours ``OMP_NUM_THREADS`` and
        ``threadpoolctl``), capped at the number of CPUs and at the CPUs other work leaves
        idle (:func:`idle_cpus` of the 1-minute load average): on a machine whose cores
        are busy, OpenMP's spinning barriers made two threads 2-4x slower than one
        (FastPAM1 on MNIST with one core busy: 0.44 s on two threads, 0.21 s on one). A
        positive int is used as is; a negative int counts back from the number of CPUs
        (-1 = all). Results never depend on the thread count.

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
        try:
            idle = idle_cpus(cpus, os.getloadavg()[0])
        except (OSError, AttributeError):  # no load average on this system
            idle = cpus
        return max(1, min(omp_get_max_threads(), cpus, idle))
    if n_threads < 0:
        return max(1, cpus + 1 + n_threads)
    return n_threads
