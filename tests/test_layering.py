"""The dependency rule of the architecture note, as code.

Layers, bottom up: the Cython kernels (``clusterkit._fast``), the shared helpers
(``clusterkit._utils``), the three families (``clusterkit._medoids``, ``clusterkit._ppp``,
``clusterkit.community``), and the modules on top (``metrics``, ``plotting``, ``dask``,
``datasets``, the command line and ``clusterkit/__init__``). A module may import its own
family and the layers below it; the modules on top reach a family only through the
family's package (its named seams), never through its private modules.
"""
import ast
import re
from pathlib import Path

import pytest

import clusterkit

ROOT = Path(clusterkit.__file__).parent
FAMILIES = ("clusterkit._medoids", "clusterkit._ppp", "clusterkit.community")


def module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path):
    return path.name == "__init__.py"


def layer(name):
    """(rank, group) of a clusterkit module: a higher rank sits above."""
    if name == "clusterkit._fast" or name.startswith("clusterkit._fast."):
        return 0, "clusterkit._fast"
    if name == "clusterkit._utils" or name.startswith("clusterkit._utils."):
        return 1, "clusterkit._utils"
    for fam in FAMILIES:
        if name == fam or name.startswith(fam + "."):
            return 2, fam
    return 3, name


def imports_of(path):
    """Absolute clusterkit modules imported by a Python module."""
    tree = ast.parse(path.read_text())
    here = module_name(path)
    package = here if is_package(path) else here.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            out.add(mod)
            for a in node.names:  # "from . import x" may name a module
                candidate = f"{mod}.{a.name}"
                if (ROOT.parent / (candidate.replace(".", "/") + ".py")).exists():
                    out.add(candidate)
    return {m for m in out if m == "clusterkit" or m.startswith("clusterkit.")}


def cimports_of(path):
    text = path.read_text()
    return set(re.findall(r"^\s*from\s+(clusterkit\.[\w.]+)\s+cimport", text, re.M))


def violation(importer, imported):
    """Why ``importer`` may not import ``imported``, or None."""
    if imported == "clusterkit":
        return None if importer.startswith("clusterkit._cli") else "imports the package root"
    (ri, gi), (rj, gj) = layer(importer), layer(imported)
    if gi == gj:
        return None
    if rj > ri:
        return "reaches upward"
    if ri == 2 and rj == 2:
        return "imports another family"
    if ri == 3 and rj == 2 and imported != gj:
        return "reaches into a family's private module (import from its package)"
    return None


PY_MODULES = sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", PY_MODULES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_module_imports_follow_the_layers(path):
    importer = module_name(path)
    bad = {m: why for m in imports_of(path) if (why := violation(importer, m))}
    assert not bad, f"{importer}: " + "; ".join(f"{m} ({w})" for m, w in sorted(bad.items()))


@pytest.mark.parametrize("path", sorted(ROOT.joinpath("_fast").glob("*.p[yx][xd]")),
                         ids=lambda p: p.name)
def test_kernels_cimport_only_kernels(path):
    outside = {m for m in cimports_of(path) if not m.startswith("clusterkit._fast.")}
    assert not outside, f"{path.name} cimports {sorted(outside)}"


def test_the_rule_catches_what_it_should():
    assert violation("clusterkit._medoids._clara", "clusterkit._ppp._gmm")
    assert violation("clusterkit._utils._memory", "clusterkit._medoids")
    assert violation("clusterkit.community._spectral", "clusterkit.metrics")
    assert violation("clusterkit.dask", "clusterkit._ppp._codebook")
    assert violation("clusterkit._fast", "clusterkit._utils._chunking")
    assert not violation("clusterkit.dask", "clusterkit._ppp")
    assert not violation("clusterkit._medoids._clara", "clusterkit._medoids._engine")
    assert not violation("clusterkit._ppp._ppp", "clusterkit._utils._hierarchy")
    assert imports_of(ROOT / "_medoids" / "_clara.py") >= {"clusterkit._medoids._engine",
                                                          "clusterkit._utils._logging"}
