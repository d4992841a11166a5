"""Every examples/*.py runs to completion (training examples for one epoch)."""

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).resolve().parent.parent / "examples").glob("*.py"))
# Third-party packages the examples may use (the "examples" extra); a missing one skips that example.
OPTIONAL_IMPORTS = ("sklearn", "tqdm")


def missing_optional_imports(source):
    return [name for name in OPTIONAL_IMPORTS
            if re.search(rf"^\s*(from|import)\s+{name}\b", source, re.MULTILINE)
            and importlib.util.find_spec(name) is None]


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script):
    source = script.read_text()
    missing = missing_optional_imports(source)
    if missing:
        pytest.skip(f"{script.name} needs {', '.join(missing)} (pip install '.[examples]')")
    args = ["--epochs", "1"] if "--epochs" in source else []
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=300,
                            cwd=script.parent.parent)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    if "accuracy" in source:
        assert re.search(r"test accuracy: \d+\.\d+%", result.stdout), result.stdout


def test_examples_are_found():
    names = {p.name for p in EXAMPLES}
    assert {"mlp_digits.py", "cnn_digits.py", "tour.py"} <= names
