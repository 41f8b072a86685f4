"""Facts about the repository's own files that no other test would notice.

A merge that leaves conflict markers in a page or in the README still imports and most of the
suite passes; the strict docs build fails far later, and the README would show the markers to
every reader. This test names the file and line at once.
"""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".pyx", ".pxd", ".rst", ".md", ".toml", ".cfg", ".txt", ".json",
                 ".yml", ".yaml", ".ini", ""}
MARKERS = ("<" * 7 + " ", ">" * 7 + " ", "|" * 7 + " ")


def _tracked_files():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\n")
        files = [ROOT / name for name in out if name]
    except (OSError, subprocess.CalledProcessError):   # an sdist: no git metadata
        files = [p for p in ROOT.rglob("*") if ".git" not in p.parts]
    return [p for p in files if p.is_file() and p.suffix in TEXT_SUFFIXES]


def test_tracked_files_are_found():
    names = {p.name for p in _tracked_files()}
    assert {"README.md", "setup.py", "pyproject.toml"} <= names


def test_no_merge_conflict_markers():
    found = []
    for path in _tracked_files():
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(ROOT)}:{number}" for number, line in
                  enumerate(lines, start=1) if line.startswith(MARKERS)]
    assert not found, f"merge conflict markers left in {found}"
