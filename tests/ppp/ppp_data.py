"""Data the PPP tests share."""
import numpy as np
from sklearn.datasets import make_blobs


def separated_blobs(n=1500, centers=4, d=3, seed=0):
    """Blobs far apart relative to their spread (true clusters no method can miss)."""
    rng = np.random.RandomState(seed)
    means = rng.uniform(-30, 30, size=(centers, d))
    return make_blobs(n, centers=means, cluster_std=1.0, random_state=seed)

