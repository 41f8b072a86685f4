"""Graphs and helpers shared by the community tests."""
import numpy as np
import pytest

from clusterkit.datasets import make_hsbm


@pytest.fixture(scope="module")
def easy_hsbm():
    """Depth-2 binary HSBM, far above every exact-recovery threshold."""
    return make_hsbm(2, 2, 100, p=[0.01, 0.08, 0.35], random_state=0)


@pytest.fixture
def cut_like():
    """``cut_like(model, levels)``: the model's tree cut into as many communities as each
    true level has."""
    def cut(model, levels):
        return [model.cut(len(np.unique(lab))) for lab in levels]
    return cut
