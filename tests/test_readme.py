"""The README's example runs as written."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README has no Python example"
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    assert capsys.readouterr().out.strip()


def test_readme_names_the_two_setup_commands():
    text = README.read_text()
    assert 'pip install -e . && python -m clusterkit' in text
    assert 'pip install -e ".[test]" && python -m pytest' in text
