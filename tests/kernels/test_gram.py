"""The Gram-to-distance kernel: scikit-learn's formula, written with its mirror, and
nothing outside the block's rows and their mirror touched."""
import numpy as np
import pytest

from clusterkit._fast._gram import distances_from_gram


def reference(X, a, b, D):
    """The NumPy loop the kernel replaces: rows [a, b) and their mirror, in float64."""
    sq = np.einsum("ij,ij->i", X, X)
    G = X[a:b] @ X[a:].T
    V = np.sqrt(np.maximum(G * -2.0 + sq[a:b, None] + sq[None, a:], 0.0)).astype(D.dtype)
    for r, i in enumerate(range(a, b)):
        D[i, i + 1:] = V[r, i + 1 - a:]
        D[i + 1:, i] = V[r, i + 1 - a:]
        D[i, i] = 0
    return D


# float64 G may be D's own rows; float32 D needs G apart
@pytest.mark.parametrize("dtype, in_place", [(np.float64, False), (np.float64, True),
                                             (np.float32, False)])
# blocks inside one column tile (64), across tiles, at the end, of one row and one column
@pytest.mark.parametrize("n, a, b", [(5, 0, 5), (70, 0, 70), (150, 10, 75), (200, 130, 200),
                                     (129, 128, 129), (300, 0, 1), (257, 1, 256)])
def test_kernel_equals_the_numpy_formula_and_writes_only_its_rows(dtype, in_place, n, a, b):
    X = np.random.default_rng(n + a).normal(size=(n, 7))
    sq = np.einsum("ij,ij->i", X, X)
    D = np.full((n, n), -7.0, dtype=dtype)
    expected = reference(X, a, b, D.copy())
    if in_place:
        G = np.matmul(X[a:b], X[a:].T, out=D[a:b, a:])
    else:
        G = X[a:b] @ X[a:].T
    distances_from_gram(G, sq, a, D)
    assert np.array_equal(D, expected)
    touched = np.zeros((n, n), dtype=bool)
    touched[a:b, a:] = touched[a:, a:b] = True
    assert (D[~touched] == -7.0).all()


def test_blocks_in_sequence_build_the_whole_matrix():
    X = np.random.default_rng(0).normal(size=(333, 4))
    sq = np.einsum("ij,ij->i", X, X)
    D = np.empty((333, 333))
    for a in range(0, 333, 100):
        b = min(333, a + 100)
        distances_from_gram(X[a:b] @ X[a:].T, sq, a, D)
    assert np.array_equal(D, D.T) and (np.diag(D) == 0).all()
    d = X[:, None, :] - X[None, :, :]
    np.testing.assert_allclose(D, np.sqrt((d * d).sum(-1)), atol=1e-12)


def test_cancellation_gives_zero_not_nan():
    # two equal rows: -2 x.x + |x|^2 + |x|^2 may round below zero, the distance is 0
    X = np.array([[0.1, 0.7, 1e3]] * 3)
    sq = np.einsum("ij,ij->i", X, X)
    D = np.empty((3, 3))
    distances_from_gram(X @ X.T, sq, 0, D)
    assert not np.isnan(D).any() and (D >= 0).all()


@pytest.mark.parametrize("G_shape, a, sq_len, D_shape, message", [
    ((2, 5), 0, 5, (5, 4), "D must be square"),
    ((2, 5), 0, 4, (5, 5), "sq must hold 5 squared norms"),
    ((2, 4), 0, 5, (5, 5), "not a Gram block"),
    ((2, 3), 3, 5, (5, 5), "not a Gram block"),
    ((2, 5), 5, 5, (5, 5), "not a Gram block"),
    ((0, 5), 0, 5, (5, 5), "not a Gram block"),
])
def test_bad_shapes_raise_before_any_write(G_shape, a, sq_len, D_shape, message):
    D = np.full(D_shape, -1.0)
    with pytest.raises(ValueError, match=message):
        distances_from_gram(np.zeros(G_shape), np.zeros(sq_len), a, D)
    assert (D == -1.0).all()


def test_gram_rows_must_be_contiguous():
    G = np.zeros((2, 10))[:, ::2]
    with pytest.raises(ValueError, match="contiguous rows"):
        distances_from_gram(G, np.zeros(5), 0, np.zeros((5, 5)))
