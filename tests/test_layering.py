"""The layering of csrc/ (DESIGN.md, issue #21): the core and the kernels know no op.

Files in csrc/core, csrc/cpu, csrc/cuda and csrc/kernels take what they need
from the core and the dispatch table only; the ops (csrc/ops) and the Tensor
methods that run them (csrc/ops/tensor_methods.cpp) sit above them.
"""

import pathlib
import re

import pytest

CSRC = pathlib.Path(__file__).resolve().parents[1] / "csrc"
LOWER_LAYERS = ("core", "cpu", "cuda", "kernels")
OP_HEADERS = re.compile(r'#include\s+"(dyngraph/(ops|nn|optim|serialize)\.h|ops/[^"]+)"')


@pytest.mark.skipif(not CSRC.is_dir(), reason="needs the source tree")
@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_include_no_op_header(layer):
    offenders = [f"{path.relative_to(CSRC)}: {m.group(0)}"
                 for path in sorted((CSRC / layer).glob("*"))
                 if path.suffix in (".h", ".cpp", ".cu", ".cuh")
                 for m in OP_HEADERS.finditer(path.read_text())]
    assert not offenders, "\n".join(offenders)
