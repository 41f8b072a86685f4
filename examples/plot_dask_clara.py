"""
CLARA on a Dask array
=====================

DaskCLARA draws its samples on the client, clusters them as parallel tasks and judges them
in one pass over the chunks; the result equals in-memory CLARA with independent samples.
Needs ``pip install "clusterkit[dask]"``.
"""
import numpy as np
from sklearn.datasets import make_blobs

try:
    import dask
    import dask.array as da
except ImportError:  # the example is optional
    dask = None

if dask is not None:
    from clusterkit import CLARA
    from clusterkit.dask import DaskCLARA

    X, _ = make_blobs(200_000, n_features=10, centers=20, cluster_std=2.0, random_state=0)
    Xd = da.from_array(X, chunks=(50_000, 10))
    with dask.config.set(scheduler="threads"):
        est = DaskCLARA(20, random_state=0).fit(Xd)
        labels = est.labels_.compute()
    mem = CLARA(20, random_state=0, sampling="independent").fit(X)
    print("DaskCLARA loss", round(est.inertia_, 1), "| in-memory CLARA loss",
          round(mem.inertia_, 1))
    print("same medoids:", est.medoid_indices_.tolist() == mem.medoid_indices_.tolist())
    print("cluster sizes:", np.bincount(labels).tolist())
else:
    print("Dask is not installed: pip install 'clusterkit[dask]'")
