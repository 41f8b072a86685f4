"""Warnings that point at the user's line.

A fixed ``stacklevel`` is right for one call path only: the same helper is reached from
``fit`` through scikit-learn's ``_fit_context`` wrapper, from a function of the functional
API, or from a Dask task. :func:`warn_user` counts the frames instead: the warning is
attributed to the first frame outside clusterkit and scikit-learn, which is the user's.
"""
import os
import sys
import warnings

import sklearn

__all__ = ["warn_user"]

_INTERNAL = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                  for m in (sys.modules[__name__.split(".")[0]], sklearn))


def warn_user(message, category=UserWarning):
    """``warnings.warn(message, category)`` attributed to the first caller outside
    clusterkit and scikit-learn.

    Examples
    --------
    >>> import warnings
    >>> from clusterkit._utils._warnings import warn_user
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_user("careful")
    >>> str(caught[0].message)
    'careful'
    """
    level = 1
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _INTERNAL):
        level += 1
        frame = frame.f_back
    warnings.warn(message, category, stacklevel=level + 1)
