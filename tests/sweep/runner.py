"""Parent side: runs case ids through worker processes, pins crashes and hangs, compares libraries.

Workers are long-lived (importing torch costs ~1.5 s) and get batches of ids. A worker prints each
outcome as soon as the case ends, so when it dies (signal) or goes silent for CASE_TIMEOUT seconds,
the culprit is the first case of its batch without an outcome: that case is recorded as a crash or
hang, the worker is replaced and the rest of the batch goes back in the queue. Each crash/hang is then
rerun alone in a fresh process, since a crash can depend on earlier cases in the same process.
"""

import collections
import json
import math
import os
import pathlib
import selectors
import signal
import subprocess
import sys
import tempfile
import time

TESTS_DIR = pathlib.Path(__file__).resolve().parent.parent
KNOWN_FILE = pathlib.Path(__file__).with_name("known_divergences.txt")
CASE_TIMEOUT = float(os.environ.get("SWEEP_CASE_TIMEOUT", "10"))
BATCH = 300
WORKER_ENV = {"OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONFAULTHANDLER": "1"}


class Worker:
    def __init__(self, lib):
        self.lib = lib
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sweep.worker", lib], cwd=TESTS_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.stderr, env={**os.environ, **WORKER_ENV})
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.pending = collections.deque()
        self.buf = b""
        self.history = collections.deque(maxlen=5)  # the cases it ran last, for crash reports
        self.deadline = math.inf

    def send(self, ids):
        self.pending.extend(ids)
        self.proc.stdin.write("".join(i + "\n" for i in ids).encode())
        self.proc.stdin.flush()  # a batch of a few hundred ids fits the pipe buffer
        self.deadline = time.monotonic() + CASE_TIMEOUT + 5  # +5: the first batch includes the import

    def read(self):
        """Outcomes completed since the last call; None at EOF (the process died)."""
        data = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not data:
            return None
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        outs = [json.loads(line) for line in lines]
        for o in outs:
            assert o["id"] == self.pending[0], (o["id"], self.pending[0])
            self.history.append(self.pending.popleft())
            self.deadline = time.monotonic() + CASE_TIMEOUT
        return outs

    def stderr_tail(self):
        """The start of the fatal error report (a sanitizer's, faulthandler's or an abort message), else the
        last lines."""
        self.stderr.seek(0)
        lines = self.stderr.read().decode(errors="replace").strip().splitlines()
        for i, line in enumerate(lines):
            if "runtime error:" in line or "ERROR: AddressSanitizer" in line:
                return lines[i:i + 8]
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].startswith(("Fatal Python error", "terminate called")):
                return lines[max(0, i - 1):i + 6]
        return lines[-4:]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


def run_cases(lib, ids, jobs=None, batch=BATCH):
    """{case id: outcome} for every id, run in `jobs` parallel workers."""
    jobs = jobs or os.cpu_count() or 2
    queue = collections.deque(ids[i:i + batch] for i in range(0, len(ids), batch))
    results, workers, sel = {}, [], selectors.DefaultSelector()

    def retire(w, outcome):
        """w died or stalled: its first pending case gets `outcome`, the rest go back in the queue."""
        sel.unregister(w.proc.stdout)
        w.kill()
        workers.remove(w)
        tail = w.stderr_tail()
        w.stderr.close()
        reported = any("runtime error:" in line or "AddressSanitizer" in line for line in tail)
        if outcome["sig"] == "exit 1" and not w.history and not reported:  # it never ran a case: the import failed
            raise RuntimeError(f"sweep worker for {lib} failed to start: {tail}")
        if w.pending:
            culprit = w.pending.popleft()
            results[culprit] = {"id": culprit, **outcome, "after": list(w.history), "stderr": tail}
        if w.pending:
            queue.appendleft(list(w.pending))

    while queue or any(w.pending for w in workers):
        for w in workers:  # idle workers take the next batch
            if not w.pending and queue:
                w.send(queue.popleft())
        while len(workers) < jobs and queue:
            w = Worker(lib)
            sel.register(w.proc.stdout, selectors.EVENT_READ, w)
            workers.append(w)
            w.send(queue.popleft())
        for key, _ in sel.select(timeout=0.5):
            w = key.data
            outs = w.read()
            if outs is None:
                rc = w.proc.wait()
                name = signal.Signals(-rc).name if rc < 0 else f"exit {rc}"
                retire(w, {"o": "crash", "sig": name})
            else:
                results.update((o["id"], o) for o in outs)
        now = time.monotonic()
        for w in list(workers):
            if w.pending and now > w.deadline:
                retire(w, {"o": "hang", "sig": f">{CASE_TIMEOUT:g}s"})
    for w in workers:
        w.proc.stdin.close()
        w.kill()
        w.stderr.close()
    return results


def confirm_alone(lib, results):
    """Reruns each crash/hang alone; one that passes alone is marked as needing its predecessors."""
    bad = [i for i, o in results.items() if o["o"] in ("crash", "hang")]
    for case_id in bad:
        alone = run_cases(lib, [case_id], jobs=1)[case_id]
        results[case_id]["alone"] = alone["o"] in ("crash", "hang")
    return bad


# ---- comparison with torch ------------------------------------------------------------------------

MEMORY_WORDS = ("can't allocate memory", "out of memory", "not enough memory", "bad_alloc")


def is_memory_error(o):
    return o["exc"] == "MemoryError" or "OutOfMemory" in o["exc"] or any(
        w in o["msg"].lower() for w in MEMORY_WORDS)


def _close(a, b, rtol, atol=1e-5):
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b  # "nan"/"inf" markers (and loose None) must agree exactly
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + atol


def value_diff(t, d):
    """None when dyngraph's summary d matches torch's t, else what differs ("value:shape", ...)."""
    if t["k"] != d["k"]:
        return f"value:kind {t['k']}->{d['k']}"
    if t["k"] == "tensor":
        if t["shape"] != d["shape"]:
            return "value:shape"
        if t["dtype"] != d["dtype"]:
            return f"value:dtype {t['dtype']}->{d['dtype']}"
        # loose enough for different accumulation orders and half-precision internals, tight
        # enough for wrong results
        rtol, atol = (1e-2, 1e-3) if t["dtype"] in ("float16", "bfloat16") else (1e-3, 1e-5)
        if "vals" in t and "vals" in d and not str(t["vals"]).startswith("unavailable"):
            if str(d["vals"]).startswith("unavailable"):
                return "value:unreadable"
            if not all(_close(a, b, rtol, atol) for a, b in zip(t["vals"], d["vals"])):
                return "value:values"
        if "stats" in t and "stats" in d:
            ts, ds = t["stats"], d["stats"]
            if ts[2:] != ds[2:] or abs(ts[0] - ds[0]) > rtol * (ts[1] + 1):
                return "value:values"
        return None
    if t["k"] == "seq":
        if t["n"] != d["n"]:
            return "value:length"
        return next(filter(None, map(value_diff, t["items"], d["items"])), None)
    if t["k"] in ("float", "complex"):
        tv, dv = t["v"], d["v"]
        if isinstance(tv, list):
            return None if all(map(_close, tv, dv, [1e-3] * 2)) else "value:values"
        return None if _close(tv, dv, 1e-3) else "value:values"
    if "v" in t and t["v"] != d.get("v"):
        return "value:values"
    return None


def compare(t, d):
    """None when dyngraph's outcome d agrees with torch's t, else a divergence category."""
    if t["o"] == "raise" and d["o"] == "raise":
        if d["exc"] == "MemoryError" or t["bases"][0] in d["bases"]:
            return None  # same builtin class (or a subclass); MemoryError is fine where torch raises
        return f"exception:{t['bases'][0]}->{d['exc']}"
    if t["o"] == "raise":
        return "accepts:" + ("torch-oom" if is_memory_error(t) else t["bases"][0])
    if d["o"] == "raise":
        return "rejects:" + ("MemoryError" if is_memory_error(d) else d["bases"][0])
    return value_diff(t["v"], d["v"])


def divergences(torch_results, dg_results):
    """{case id: category} where both ran to an outcome and they differ."""
    out = {}
    for case_id, d in dg_results.items():
        t = torch_results.get(case_id)
        if t is None or t["o"] not in ("ok", "raise") or d["o"] not in ("ok", "raise"):
            continue
        cat = compare(t, d)
        if cat:
            out[case_id] = cat
    return out


def read_known():
    known = {}
    if KNOWN_FILE.exists():
        for line in KNOWN_FILE.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                case_id, _, cat = line.partition(" # ")
                known[case_id.strip()] = cat.strip()
    return known


def write_known(divs):
    head = ("# Argument-sweep cases where dyngraph's outcome differs from PyTorch's (case id # category).\n"
            "# Regenerate with `cd tests && python -m sweep --update-known`; the test fails on new entries\n"
            "# and on entries that now match, so this list only shrinks.\n")
    KNOWN_FILE.write_text(head + "".join(f"{i} # {divs[i]}\n" for i in sorted(divs)))


def reproducer(case_id):
    """A one-line Python reproducer for a case (dyngraph imported as torch)."""
    from .cases import SCALARS, TENSORS, VIEWS
    target, argstr = case_id.split("|")
    ns, name = target.split(".", 1)

    def lit(x):  # a Python literal, with float('nan') / float('inf') for non-finite values
        if isinstance(x, list):
            return "[" + ", ".join(map(lit, x)) + "]"
        if isinstance(x, float) and not math.isfinite(x):
            return f"float('{x}')"
        return repr(x)

    def src(tok):
        if tok in VIEWS:
            base, method, args = VIEWS[tok]
            return f"{src(base)}.{method}{args if args else '()'}"
        if tok in TENSORS:
            data, dtype = TENSORS[tok]
            if data.size == 0:
                return f"torch.zeros{data.shape}"
            if not dtype.startswith(("float", "complex")):
                data = data.real.astype(dtype)
            return f"torch.tensor({lit(data.tolist())}, dtype=torch.{dtype})"
        big = {"huge": "2**62", "-huge": "-2**62", "i31": "2**31", "i32": "2**32", "i63": "2**63",
               "sz_huge": "(2**62, 2**62)", "sz_ovf": "(2**32, 2**32)", "sz_stbig": "(2**62, 1)"}
        if tok in SCALARS:
            return big.get(tok) or lit(SCALARS[tok])
        return "torch." + tok[3:] if tok.startswith("dt_") else tok
    toks = [t for t in argstr.split(",") if t]
    parts = [f"{t.split('=')[0]}={src(t.split('=')[1])}" if "=" in t else src(t) for t in toks]
    if ns == "Tensor":
        return f"import dyngraph as torch; {parts[0]}.{name}({', '.join(parts[1:])})"
    fn = {"torch": "torch", "F": "torch.nn.functional", "linalg": "torch.linalg"}[ns]
    return f"import dyngraph as torch; {fn}.{name}({', '.join(parts)})"


def counts(dg_results, torch_results, divs):
    c = collections.Counter(o["o"] for o in dg_results.values())
    out = {"calls": len(dg_results), "dyngraph": dict(c)}
    if torch_results is not None:
        out["torch"] = dict(collections.Counter(o["o"] for o in torch_results.values()))
        out["matches"] = sum(1 for i, d in dg_results.items()
                             if d["o"] in ("ok", "raise") and torch_results.get(i, {}).get("o") in ("ok", "raise")
                             and i not in divs)
        out["divergences"] = dict(collections.Counter(divs.values()).most_common())
    return out


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def sweep(only=None, jobs=None, with_torch=None, rerun_torch_failures=False):
    """Runs every case in dyngraph (and torch when importable, concurrently). Returns a report dict:
    dyngraph/torch results, divergences, crashes/hangs (with reproducers) and counts.
    Cases known to crash or hang torch itself are not rerun in torch unless rerun_torch_failures."""
    import concurrent.futures

    import dyngraph

    from .cases import all_cases
    with_torch = torch_available() if with_torch is None else with_torch
    ids = [i for i in all_cases(dyngraph) if not only or only in i]
    jobs = jobs or os.cpu_count() or 2
    per_lib = max(1, jobs // 2) if with_torch else jobs
    libs = ["dyngraph", "torch"] if with_torch else ["dyngraph"]
    torch_failures = {i for i, cat in read_known().items() if cat.startswith("torch-")}
    lib_ids = {"dyngraph": ids, "torch": [i for i in ids if rerun_torch_failures or i not in torch_failures]}
    with concurrent.futures.ThreadPoolExecutor(len(libs)) as ex:
        futures = {lib: ex.submit(run_cases, lib, lib_ids[lib], per_lib) for lib in libs}
        res = {lib: f.result() for lib, f in futures.items()}
    dg, th = res["dyngraph"], res.get("torch")
    bad = confirm_alone("dyngraph", dg)
    divs = divergences(th, dg) if th is not None else {}
    if th is not None:  # torch's own crashes and hangs: recorded so later runs skip them in torch
        divs.update((i, "torch-" + o["o"]) for i, o in th.items() if o["o"] in ("crash", "hang"))
    failures = [{"id": i, "o": dg[i]["o"], "sig": dg[i]["sig"], "alone": dg[i]["alone"],
                 "after": dg[i]["after"], "repro": reproducer(i), "stderr": dg[i]["stderr"]} for i in sorted(bad)]
    return {"dyngraph": dg, "torch": th, "divergences": divs, "failures": failures,
            "counts": counts(dg, th, divs), "slow": sorted(
                ((o["t"], i) for i, o in dg.items() if o.get("t", 0) > 1), reverse=True)[:20],
            "build_errors": sorted(i for i, o in dg.items() if o["o"] == "build-error")}
