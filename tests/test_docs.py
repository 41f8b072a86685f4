"""The documentation is complete and its examples run as written.

* Every public name (the ``__all__`` of clusterkit and of its public modules) is on the API
  page, docs/api.rst: a new public name without an entry fails here, not in a user's
  search.
* Every ``.. code-block:: python`` of docs/*.rst runs: the blocks of a page in order, in
  one namespace (a page is read top to bottom, so a later block may use an earlier one's
  names). A block that truly cannot run here (it needs a real Dask cluster, say) is
  preceded by the rst comment ``.. skip-snippet: <reason>``, which the page does not show.
"""
import importlib
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PUBLIC_MODULES = ["clusterkit", "clusterkit.metrics", "clusterkit.plotting",
                  "clusterkit.datasets", "clusterkit.community", "clusterkit.dask"]
# Pages left out of the snippet run, by name (none today: every page's snippets run).
NOT_YET_CHECKED = set()
# optional packages a page needs (the `test` extra installs them; without them: skip)
NEEDS = {"dask.rst": ["dask", "distributed"]}


def _api_entries():
    """(module, name, line) of every autosummary entry of docs/api.rst."""
    entries, module, in_summary = [], None, False
    for number, line in enumerate((DOCS / "api.rst").read_text().splitlines(), start=1):
        directive = re.match(r"\.\. (?:module|currentmodule):: (\S+)", line)
        if directive:
            module = directive.group(1)
        if line.startswith(".. autosummary::"):
            in_summary = True
            continue
        if in_summary:
            if line.strip().startswith(":") or not line.strip():
                continue          # an option such as :toctree:, or the blank line
            if not line.startswith(" "):
                in_summary = False
                continue
            entries.append((module, line.strip(), number))
    return entries


def test_every_api_entry_names_a_public_object():
    for module, name, number in _api_entries():
        mod = importlib.import_module(module)
        assert name in mod.__all__, (f"docs/api.rst:{number} lists {module}.{name}, which "
                                     f"is not in {module}.__all__")


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_is_on_the_api_page(module):
    documented = [getattr(importlib.import_module(m), name) for m, name, _ in _api_entries()]
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if name != "__version__"
               and not any(getattr(mod, name) is obj for obj in documented)]
    assert not missing, (f"{module}.__all__ has {missing}, which docs/api.rst does not "
                         "list (add an autosummary entry)")


def _python_blocks(page):
    """(line, code, skip reason or None) of every python code-block of an rst page."""
    lines = page.read_text().splitlines()
    blocks, skip = [], None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = re.match(r"\s*\.\. skip-snippet:(.*)", line)
        if marker:
            skip = marker.group(1).strip() or "marked skip-snippet"
        if re.match(r"\s*\.\. code-block:: python\s*$", line):
            indent = len(line) - len(line.lstrip())
            i += 1
            while i < len(lines) and lines[i].strip().startswith(":"):
                i += 1        # directive options
            start, body = i + 1, []
            while i < len(lines) and (not lines[i].strip()
                                      or len(lines[i]) - len(lines[i].lstrip()) > indent):
                body.append(lines[i])
                i += 1
            text = "\n".join(body).strip("\n")
            first = start + next(n for n, b in enumerate(body) if b.strip())
            pad = min(len(b) - len(b.lstrip()) for b in body if b.strip())
            code = "\n".join(b[pad:] for b in text.splitlines())
            blocks.append((first, code, skip))
            skip = None
            continue
        i += 1
    return blocks


PAGES = sorted(p for p in DOCS.glob("*.rst")
               if p.name not in NOT_YET_CHECKED and _python_blocks(p))


def test_the_snippet_reader_sees_the_pages_with_code():
    names = {p.name for p in PAGES}
    assert {"kmedoids.rst", "clara.rst", "silhouette.rst", "community.rst",
            "dask.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_blocks_of_the_page_run_in_order(page, monkeypatch, tmp_path):
    for module in NEEDS.get(page.name, []):
        pytest.importorskip(module)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)          # a snippet that writes a file writes it here
    namespace = {"__name__": "__docs__"}
    ran = 0
    for first, code, skip in _python_blocks(page):
        if skip:
            continue
        # pad so that a traceback shows the line number of the rst page
        exec(compile("\n" * (first - 1) + code, str(page), "exec"), namespace)
        ran += 1
    plt.close("all")
    assert ran, f"every code block of {page.name} is skipped"
