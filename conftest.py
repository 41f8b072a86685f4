"""Skip the doctests of optional modules whose dependencies are not installed."""
import importlib.util

collect_ignore = []
if importlib.util.find_spec("dask") is None:
    collect_ignore.append("clusterkit/dask.py")
