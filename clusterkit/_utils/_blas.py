"""One BLAS thread inside loops of small products.

The products inside PPP's EM iterations and the k-medoids refinement are small (a node's
or a cluster's rows times ``d``): BLAS threads give nothing at that size and, on a machine
whose cores are busy, oversubscription made them ten times slower (a 50 x 784 by 784 x 33
distance block: 5.6 ms with two BLAS threads against 0.65 ms with one, measured here).
Limiting through :mod:`threadpoolctl` follows scikit-learn's KMeans, which does the same
inside its loops.
"""
from threadpoolctl import ThreadpoolController

__all__ = ["single_blas_thread"]

_THREADPOOLS = []  # the ThreadpoolController, created on first use (it scans the libraries)


def single_blas_thread():
    """Context manager that keeps BLAS on one thread.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterkit._utils._blas import single_blas_thread
    >>> with single_blas_thread():
    ...     float((np.ones((3, 4)) @ np.ones(4)).sum())
    12.0
    """
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1, user_api="blas")
