"""Skip the doctests of modules whose optional dependencies are not installed."""
import importlib.util

collect_ignore = []
if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
    collect_ignore.append("clusterkit/dask.py")
if importlib.util.find_spec("matplotlib") is None:
    collect_ignore.append("clusterkit/community/_plotting.py")
    collect_ignore.append("clusterkit/plotting.py")


import os  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _idle_load_average(monkeypatch):
    """The kernels' default thread count drops to the idle cores (from the 1-minute load
    average); the tests that compare thread counts must get the threads they ask for on a
    busy CI machine too. tests/kernels/test_medoid_kernels.py checks the drop itself."""
    if hasattr(os, "getloadavg"):
        monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
