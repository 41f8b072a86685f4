"""The command line does what the README says."""
import numpy as np
import pytest

from clusterkit._cli import main


def test_default_run_clusters_digits(capsys):
    assert main(["-k", "10", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "1797 samples x 64 features" in out
    assert "medoids (row indices)" in out and "silhouette" in out and "time:" in out


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_user_file_gets_its_labels_written(tmp_path, capsys, suffix):
    X = np.vstack([np.zeros((20, 2)), np.full((20, 2), 10.0)])
    X += np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    path = tmp_path / f"points{suffix}"
    if suffix == ".csv":
        np.savetxt(path, X, delimiter=",", header="a,b")
    else:
        np.save(path, X)
    assert main([str(path), "-k", "2", "--method", "pam", "--float32"]) == 0
    labels = np.loadtxt(tmp_path / "points_labels.csv", dtype=int)
    assert labels.shape == (40,)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1
    assert labels[0] != labels[-1]


def test_missing_file_is_a_clear_error():
    with pytest.raises(SystemExit, match="no such file"):
        main(["/nonexistent/data.csv"])


@pytest.mark.parametrize("metric, built", [("euclidean", np.float32),
                                           ("manhattan", np.float64)])
def test_memory_guard_checks_the_matrix_really_built(tmp_path, monkeypatch, metric, built):
    """scikit-learn builds float32 only for the euclidean metric: with --float32 and another
    metric, the n x n matrix is float64 first, and that is what must fit."""
    import clusterkit._medoids._engine as engine

    checked = []
    real = engine.check_square_matrix_fits
    monkeypatch.setattr(engine, "check_square_matrix_fits",
                        lambda n, dtype: checked.append((n, np.dtype(dtype))) or real(n, dtype))
    path = tmp_path / "points.npy"
    np.save(path, np.random.default_rng(0).normal(size=(30, 3)))
    assert main([str(path), "-k", "2", "--float32", "--metric", metric]) == 0
    assert checked == [(30, np.dtype(built))]
