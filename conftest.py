"""Skip the doctests of modules whose optional dependencies are not installed."""
import importlib.util

collect_ignore = []
if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
    collect_ignore.append("clusterkit/dask.py")
if importlib.util.find_spec("matplotlib") is None:
    collect_ignore.append("clusterkit/community/_plotting.py")
    collect_ignore.append("clusterkit/plotting.py")
