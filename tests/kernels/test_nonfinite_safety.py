"""No kernel reads or writes out of bounds, whatever the matrix holds.

``check_input=False`` skips validation, so NaN and inf reach the kernels. With NaN no
distance ever compares lower, which once left a cache slot at -1 and let the removal-loss
update write before its buffer (glibc aborted at exit with "corrupted size vs. prev_size").
The calls run in a subprocess, so a corrupted heap shows up as a non-zero exit status.
"""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import clusterkit
from clusterkit import KMedoids

METHODS = ["fasterpam", "fastpam1", "fastpam2", "pam", "alternating", "build", "lab",
           "fastmsc", "fastermsc", "pammedsil", "pamsil"]

SCRIPT = textwrap.dedent("""
    import numpy as np, clusterkit
    rng = np.random.default_rng(0)
    mats = []
    for bad in (np.nan, np.inf):
        D = np.full((6, 6), bad)
        np.fill_diagonal(D, 0)
        mats.append(D)                              # nothing compares
        X = rng.normal(size=(30, 2))
        D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
        D[3, :] = D[:, 3] = bad                     # one bad object
        D[3, 3] = 0
        mats.append(D)
    for m in {methods!r}:
        f = getattr(clusterkit, m)
        inits = [None] if m in ("build", "lab") else ["build", "k-medoids++", "lab", "random"]
        for D in mats:
            for dtype in (np.float64, np.float32):
                for init in inits:
                    kw = {{}} if init is None else {{"init": init, "random_state": 0}}
                    try:
                        r = f(D.astype(dtype), 3, check_input=False, **kw)
                    except ValueError as e:
                        assert "NaN or inf" in str(e), e
                        continue
                    med = np.asarray(r.medoids)
                    assert med.shape == (3,) and ((0 <= med) & (med < len(D))).all(), med
                    assert ((0 <= r.labels) & (r.labels < 3)).all()
    print("clean")
""")


def test_nan_and_inf_with_check_input_false_never_corrupt_memory():
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(methods=METHODS)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "clean"


@pytest.mark.parametrize("method", ["fasterpam", "fastmsc"])
def test_nan_with_check_input_false_is_a_clear_error(method):
    D = np.full((5, 5), np.nan)
    np.fill_diagonal(D, 0)
    with pytest.raises(ValueError, match="NaN or inf.*check_input=False"):
        getattr(clusterkit, method)(D, 2, check_input=False)


def test_a_loss_that_overflows_float64_is_an_error_naming_the_fix():
    X = np.arange(17.0)[:, None]  # largest entry 1.6e308: finite, the loss is not
    D = np.abs(X - X.T) * 1e307
    with pytest.raises(ValueError, match=r"overflows float64.*D / D.max\(\)"):
        KMedoids(3, metric="precomputed", random_state=0).fit(D)
    # the rescaled matrix clusters
    km = KMedoids(3, metric="precomputed", random_state=0).fit(D / D.max())
    assert np.isfinite(km.inertia_)


def test_the_check_rejects_nan_before_any_kernel_runs():
    D = np.zeros((4, 4))
    D[1, 2] = D[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clusterkit.fasterpam(D, 2)
