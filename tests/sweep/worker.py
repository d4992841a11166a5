"""Worker: `python -m sweep.worker LIB` runs case ids read from stdin (one per line) against LIB
("dyngraph" or "torch") and prints one JSON line per case as soon as it finishes, so the parent
knows exactly which case was running when the process died or stalled.

Outcome lines: {"id", "o": "ok", "v": summary} or {"id", "o": "raise", "exc": type name,
"bases": builtin classes in its MRO, "msg": start of the message}.
"""

import builtins
import importlib
import json
import math
import os
import resource
import sys
import time
import warnings

import numpy as np

from .cases import build, is_loose

MEMORY_HEADROOM = 4 << 30  # beyond what the import mapped: a huge allocation raises instead of taking the machine


def exc_outcome(e):
    bases = [c.__name__ for c in type(e).__mro__ if getattr(builtins, c.__name__, None) is c]
    return {"o": "raise", "exc": type(e).__name__, "bases": bases, "msg": str(e)[:160]}


def _num(x):
    return x if math.isfinite(x) else str(x)  # JSON has no NaN/inf: "nan", "inf", "-inf"


def tensor_summary(t, loose):
    shape = list(t.shape)
    s = {"k": "tensor", "shape": shape, "dtype": str(t.dtype).split(".")[-1]}
    n = math.prod(shape)
    if loose or n > 1_000_000:  # big results: shape and dtype only, so summaries stay cheap
        return s
    try:
        x = t.detach()
        for fix in ("resolve_conj", "resolve_neg"):  # torch's lazy conj/neg views refuse .numpy()
            if hasattr(x, fix):
                x = getattr(x, fix)()
        if s["dtype"] == "bfloat16":
            x = x.float()
        a = np.asarray(x.cpu().contiguous().numpy())
    except Exception as e:
        s["vals"] = "unavailable: " + type(e).__name__
        return s
    if a.dtype.kind == "c":
        a = a.astype(np.complex128).view(np.float64)  # re, im pairs
    a = a.astype(np.float64).ravel()
    if n <= 32:
        s["vals"] = [_num(v) for v in a.tolist()]
    else:
        fin = a[np.isfinite(a)]
        s["stats"] = [float(fin.sum()), float(np.abs(fin).sum()), int(np.isnan(a).sum()),
                      int((a == np.inf).sum()), int((a == -np.inf).sum())]
    return s


def summary(lib, r, loose, depth=0):
    """A JSON-able summary of a result, the same shape for both libraries."""
    if isinstance(r, lib.Tensor):
        return tensor_summary(r, loose)
    if isinstance(r, bool):
        return {"k": "bool", "v": r}
    if isinstance(r, int):
        return {"k": "int", "v": None if loose else r}
    if isinstance(r, float):
        return {"k": "float", "v": None if loose else _num(r)}
    if isinstance(r, complex):
        return {"k": "complex", "v": None if loose else [_num(r.real), _num(r.imag)]}
    if r is None:
        return {"k": "none"}
    if r is NotImplemented:  # a reflected/in-place dunder declining its argument
        return {"k": "NotImplemented"}
    if isinstance(r, str):
        return {"k": "str"}  # repr/format texts differ by design; only the kind is compared
    if isinstance(r, lib.dtype):
        return {"k": "dtype", "v": str(r).split(".")[-1]}
    if isinstance(r, lib.device):
        return {"k": "device", "v": str(r)}
    if isinstance(r, (tuple, list)) and depth < 3:
        return {"k": "seq", "n": len(r), "items": [summary(lib, x, loose, depth + 1) for x in r[:16]]}
    if isinstance(r, np.ndarray):
        return {"k": "ndarray", "shape": list(r.shape)}
    if hasattr(r, "__next__"):
        return {"k": "iterator"}
    return {"k": "obj"}


def run_case(lib, case_id):
    start = time.perf_counter()
    out = _run_case(lib, case_id)
    out["t"] = round(time.perf_counter() - start, 4)  # lets the report list slow cases
    return out


def _run_case(lib, case_id):
    lib.manual_seed(0)
    try:
        fn, args, kwargs = build(lib, case_id)
    except Exception as e:  # the recipe itself failed: a harness problem, reported as such
        return {"id": case_id, "o": "build-error", "msg": f"{type(e).__name__}: {e}"[:200]}
    try:
        r = fn(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        return {"id": case_id, **exc_outcome(e)}
    try:
        v = summary(lib, r, is_loose(case_id))
    except Exception as e:
        v = {"k": "unsummarizable", "exc": type(e).__name__}
    return {"id": case_id, "o": "ok", "v": v}


def main():
    lib = importlib.import_module(sys.argv[1])
    importlib.import_module(sys.argv[1] + ".nn.functional")  # so lib.nn.functional resolves
    warnings.simplefilter("ignore")
    # Results go to a private copy of stdout; callables that print write to /dev/null instead.
    out = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    with open("/proc/self/statm") as f:
        mapped = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (mapped + MEMORY_HEADROOM, resource.RLIM_INFINITY))
    for line in sys.stdin:
        case_id = line.strip()
        if case_id:
            out.write(json.dumps(run_case(lib, case_id)) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
