"""Thread count of the kernels (the OpenMP shim itself is in _openmp_helpers.pxd).

The number of threads follows ``threadpoolctl`` limits and ``OMP_NUM_THREADS`` exactly
like scikit-learn's ``_openmp_effective_n_threads``: both act on the OpenMP runtime that
``omp_get_max_threads`` reads.
"""
import os
import time
from collections import deque

# (monotonic seconds, this process's CPU seconds), one per default thread-count request
# and one at import: the window of own_load
_own_samples = deque([(time.monotonic(), time.process_time())])
# the 1-minute load average's time constant
_OWN_WINDOW = 60.0


def openmp_enabled():
    """Return True when the kernels were compiled with OpenMP support."""
    return bool(CK_OPENMP)


def idle_cpus(cpus, load, own=1.0):
    """CPUs left by other work: ``cpus`` minus the 1-minute load beyond this process's own
    share ``own`` (at least its one runnable thread), rounded up from 0.4, at least 1 (a
    core another job uses half the time still helps: two threads were 1.5x faster than
    one at a load of 1.5 on 2 cores, and 0.6x at a load of 2.0).

    Examples
    --------
    >>> from clusterkit._fast._openmp_helpers import idle_cpus
    >>> idle_cpus(2, 1.0), idle_cpus(2, 2.8), idle_cpus(16, 5.2)
    (2, 1, 12)

    The load this process's own threads made is not another job's:

    >>> idle_cpus(2, 2.0, own=1.9), idle_cpus(2, 3.0, own=1.4)
    (2, 1)
    """
    return max(1, int(cpus - max(0.0, load - max(1.0, own)) + 0.6))


def own_load():
    """CPUs this process kept busy, on average, over about the last minute (the window of
    the 1-minute load average): its CPU time (all threads) over the wall time since the
    oldest request within the window, at least 1.

    Without it, a process that keeps every core busy reads its own load as another
    job's: after a minute of two-thread fits on 2 cores the load average reads 2, and the
    default fell to one thread.
    """
    now, cpu = time.monotonic(), time.process_time()
    _own_samples.append((now, cpu))
    # keep the newest sample older than the window, so that it is covered whole
    while len(_own_samples) > 2 and now - _own_samples[1][0] >= _OWN_WINDOW:
        _own_samples.popleft()
    t0, c0 = _own_samples[0]
    if now - t0 < 1.0:
        return 1.0
    return max(1.0, (cpu - c0) / (now - t0))


def effective_n_threads(n_threads=None):
    """Number of threads a kernel should use.

    Parameters
    ----------
    n_threads : int or None
        None: the OpenMP runtime's current maximum (honours ``OMP_NUM_THREADS`` and
        ``threadpoolctl``), capped at the number of CPUs and at the CPUs other work leaves
        idle (:func:`idle_cpus` of the 1-minute load average less this process's own part,
        :func:`own_load`): on a machine whose cores are busy, OpenMP's spinning barriers
        made two threads 2-4x slower than one
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
            idle = idle_cpus(cpus, os.getloadavg()[0], own_load())
        except (OSError, AttributeError):  # no load average on this system
            idle = cpus
        return max(1, min(omp_get_max_threads(), cpus, idle))
    if n_threads < 0:
        return max(1, cpus + 1 + n_threads)
    return n_threads
