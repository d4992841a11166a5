"""Argument sweep (issue #13): every public callable (top-level functions, Tensor methods,
nn.functional, linalg) with ~110 pathological argument sets (0-d, empty, 2**62, negative and overflowing
sizes, NaN/inf, wrong dtypes and types, dims and indices out of range), each call in a worker
process (tests/sweep). dyngraph must never crash or hang, and where PyTorch is importable it must
raise PyTorch's exception class or return PyTorch's value, except for the cases listed in
tests/sweep/known_divergences.txt (a list that may only shrink).

Run by hand, with categories and reproducers: `cd tests && python -m sweep [--only TEXT]`.
"""

import json

import pytest

from sweep import runner


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    rep = runner.sweep()
    path = tmp_path_factory.mktemp("sweep") / "summary.json"
    path.write_text(json.dumps({"counts": rep["counts"], "failures": rep["failures"]}, indent=1))
    print(f"\nargument sweep: {json.dumps(rep['counts'])}\n(summary in {path})")
    return rep


def test_no_crash_or_hang(report):
    lines = [f"{f['o']} ({f['sig']}{'' if f['alone'] else ', only after ' + repr(f['after'])}): {f['repro']}"
             for f in report["failures"]]
    assert not lines, "dyngraph crashed or hung:\n" + "\n".join(lines)


def test_cases_build(report):
    # a recipe that cannot even be built in dyngraph (tensor(), reshape) would hide every call using it
    assert not report["build_errors"]


def test_matches_torch(report):
    if report["torch"] is None:
        pytest.skip("torch not importable: only crashes and hangs are checked")
    known = runner.read_known()
    divs = report["divergences"]
    new = sorted(f"{i} # {divs[i]}" for i in divs if i not in known)
    # entries that match now (or whose case is gone) must leave the list; torch's own crashes and
    # hangs are not rerun in torch, so they stay
    fixed = sorted(i for i, cat in known.items() if i not in divs and not cat.startswith("torch-"))
    msg = []
    if new:
        msg.append(f"{len(new)} new divergences from PyTorch (fix them, or if intended run "
                   f"`cd tests && python -m sweep --update-known`):\n" + "\n".join(new[:50]))
    if fixed:
        msg.append(f"{len(fixed)} known divergences now match PyTorch: remove them from "
                   f"known_divergences.txt (or run --update-known):\n" + "\n".join(fixed[:50]))
    assert not msg, "\n".join(msg)
