"""The one verbose reporter of clusterkit: ``[ClassName] message (elapsed s)``.

Every estimator prints through :func:`reporter`, so all families share one format, one
timer and one switch (the estimator's ``verbose``). Long multi-step loops wrap their
iterable in :func:`progress`, which shows a tqdm bar when tqdm is installed and
``verbose`` asks for it, and passes the iterable through otherwise.
"""
import sys
import time
from contextlib import contextmanager

__all__ = ["Reporter", "reporter", "progress"]


class Reporter:
    """Prints timed progress lines for one run of an estimator.

    Parameters
    ----------
    name : str
        Prefix of every line (the estimator's class name).
    verbose : int
        Lines with a ``level`` above it are not printed (0 prints nothing).

    Examples
    --------
    >>> from clusterkit._utils._logging import Reporter
    >>> log = Reporter("KMedoids", verbose=1)
    >>> log("3 medoids")
    [KMedoids] 3 medoids
    >>> log("a detail", level=2)  # not printed at verbose=1
    """

    def __init__(self, name, verbose):
        self.name = name
        self.verbose = int(verbose or 0)
        self.start = time.perf_counter()

    def enabled(self, level=1):
        """Whether lines of ``level`` are printed."""
        return self.verbose >= level

    def __call__(self, message, *, level=1, since=None):
        """Print ``message``, with the seconds elapsed since ``since`` when given."""
        if not self.enabled(level):
            return
        extra = f" ({time.perf_counter() - since:.3f} s)" if since is not None else ""
        print(f"[{self.name}] {message}{extra}", flush=True)

    @contextmanager
    def timer(self, message, *, level=1):
        """Time a block and print ``message`` with its duration when it ends."""
        t0 = time.perf_counter()
        yield
        self(message, level=level, since=t0)

    def done(self, message, *, level=1):
        """Print ``message`` with the time since the reporter was created."""
        self(message, level=level, since=self.start)


def reporter(estimator):
    """The reporter of ``estimator`` (its class name, its ``verbose``)."""
    return Reporter(type(estimator).__name__, getattr(estimator, "verbose", 0))


def progress(iterable, log, *, total=None, desc=None, level=2):
    """``iterable``, shown as a progress bar when ``log.verbose >= level`` and tqdm exists.

    The bar goes to stderr so that the printed lines stay parseable. Without tqdm, or at a
    lower verbosity, the iterable is returned unchanged.
    """
    if not log.enabled(level):
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=f"[{log.name}] {desc or ''}".strip(),
                file=sys.stderr, leave=False)
