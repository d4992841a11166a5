"""The benchmark harness: each library is timed in a process of its own, the
runs interleaved round by round, and a ratio is reported only when the
reference library times the same in the harness as it does alone.

Why processes: two libraries in one process share it badly. Each brings its
own OpenMP runtime and thread pool, one library's spinning workers steal the
cores while the next is timed, and one's allocator can leave the other page
faults. All of these flattered dyngraph in the earlier in-process harness.

How one case is measured (`measure_case`):
  1. every library's worker builds its inputs once and warms the call;
  2. the reference library (PyTorch) runs `rounds` rounds alone;
  3. all libraries run `rounds` rounds, interleaved, so machine noise hits
     them alike;
  4. if the reference's median in 3 differs from 2 by more than `tolerance`,
     the case is measured again (up to `retries` times), then refused: the
     harness disturbed the reference, and a ratio against it would lie.

Workers speak one JSON object per line over stdin/stdout (see worker.py).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = "torch"  # the library ratios are taken against
SUBJECT = "dyngraph"  # the library ratios are taken of
# Seconds between two turns. OpenMP runtimes keep their idle threads spinning
# for a while after a parallel region (libgomp: 300,000 spins, a few ms), and
# threads spinning on both cores slow whichever library runs next.
PAUSE = 0.03


class Case:
    """One benchmark: per library, a setup that builds inputs and returns a
    zero-argument callable. `bytes` (STREAM's convention: each array read or
    written once) makes the report show the fraction of memory bandwidth."""

    def __init__(self, name, setups, number=None, target=None, bytes=None):
        self.name = name
        self.setups = setups  # {"dyngraph": fn, "numpy": fn, "torch": fn} -> callable
        self.number = number  # calls per timing; None: calibrated to about 20 ms
        self.target = target  # the largest dyngraph/PyTorch ratio the issues allow
        self.bytes = bytes


class BenchmarkError(RuntimeError):
    pass


class Worker:
    """A library's own Python process, running cases on request."""

    def __init__(self, lib, case_file, threads):
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        # OpenBLAS's idle threads (NumPy's matmul) spin for about 2**28 cycles,
        # a tenth of a second, slowing the library that runs next; 2**4 lets
        # them sleep at once. Only NumPy's timings can change with it.
        env["OPENBLAS_THREAD_TIMEOUT"] = "4"
        self.lib = lib
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "worker.py"), lib, case_file, str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        self.info = self.ask(op="info")

    def ask(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise BenchmarkError(f"the {self.lib} worker died (exit status {self.proc.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise BenchmarkError(f"{self.lib}: {reply['error']}")
        return reply

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


def summary(samples):
    """Median and spread (quartiles, extremes) of per-call seconds."""
    if len(samples) > 1:
        q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    else:
        q1 = q3 = samples[0]
    return {"median": statistics.median(samples), "q1": q1, "q3": q3,
            "min": min(samples), "max": max(samples), "samples": samples}


def reference_check(alone, in_harness, tolerance, reference=REFERENCE):
    """None when the reference's two medians agree within tolerance, else why
    they do not (the reason a ratio is refused)."""
    a, h = statistics.median(alone), statistics.median(in_harness)
    change = h / a - 1.0
    if abs(change) > tolerance:
        return (f"{reference} took {change:+.0%} in the harness vs alone "
                f"({h * 1e3:.3g} ms vs {a * 1e3:.3g} ms; tolerance {tolerance:.0%})")
    return None


def _rounds(workers, case, number, rounds, pause):
    samples = {w.lib: [] for w in workers}
    for _ in range(rounds):
        for w in workers:
            time.sleep(pause)  # the previous library's idle threads go to sleep (see PAUSE)
            samples[w.lib].append(w.ask(op="time", case=case.name, number=number)["seconds"])
    return samples


def measure_case(case, workers, rounds=7, tolerance=0.10, retries=2, pause=PAUSE,
                 reference=REFERENCE, subject=SUBJECT):
    """Times case in every worker that has a setup for it. Returns a dict:
    per library a summary, the subject's ratio to the reference (or None and
    the reason it was refused), and the number of calls per sample."""
    active = []
    numbers = []
    for w in workers:
        if w.lib not in case.setups:
            continue
        reply = w.ask(op="setup", case=case.name, number=case.number)
        active.append(w)
        numbers.append(reply["number"])
    if not active:
        return {"libs": {}, "ratio": None, "refused": "no library has this case"}
    number = min(numbers)
    has_reference = any(w.lib == reference for w in active)
    refused = None
    try:
        for _attempt in range(retries + 1):
            alone = _rounds([w for w in active if w.lib == reference], case, number, rounds, pause).get(reference)
            together = _rounds(active, case, number, rounds, pause)
            refused = reference_check(alone, together[reference], tolerance, reference) if has_reference else None
            if refused is None:
                break
    finally:
        for w in active:
            w.ask(op="drop", case=case.name)
    result = {"libs": {lib: summary(s) for lib, s in together.items()}, "number": number,
              "ratio": None, "refused": refused}
    if has_reference:
        result["reference_alone"] = summary(alone)
    mine, theirs = result["libs"].get(subject), result["libs"].get(reference)
    if mine and theirs and refused is None:
        result["ratio"] = mine["median"] / theirs["median"]
    if case.bytes:
        result["bytes"] = case.bytes
    return result


def stream_bandwidth(threads, n=16 * 1024 * 1024, repeats=20):
    """STREAM copy, bytes per second: the best of `repeats` copies of n float32
    (read once, written once), split over `threads` threads (NumPy releases
    the GIL while it copies)."""
    import numpy as np

    src = np.ones(n, np.float32)
    dst = np.zeros(n, np.float32)
    bounds = [n * i // threads for i in range(threads + 1)]
    parts = [(dst[lo:hi], src[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    best = float("inf")
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(repeats):
            t0 = time.perf_counter()
            list(pool.map(lambda p: np.copyto(*p), parts))
            best = min(best, time.perf_counter() - t0)
    return 2 * 4 * n / best


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:8.2f} us"
    if s < 1:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.3f} s "


def format_row(name, result, libs, stream=None, target=None):
    cells = [f"{name:38}"]
    for lib in libs:
        s = result["libs"].get(lib)
        cells.append(f"{fmt_time(s['median']) if s else '-':>11}"
                     f"{'±' + format(100 * (s['q3'] - s['q1']) / s['median'], '.0f') + '%' if s else '':>5}")
    ratio = result["ratio"]
    cells.append(f"{ratio:7.2f}" if ratio is not None else f"{'refused' if result['refused'] else '-':>7}")
    cells.append(f"{target:7.2f}" if target else f"{'':7}")
    dg = result["libs"].get("dyngraph")
    if stream and result.get("bytes") and dg:
        cells.append(f"{100 * result['bytes'] / dg['median'] / stream:6.0f}%")
    return " ".join(cells)


def run(cases, case_file, libs, threads, rounds=7, tolerance=0.10, retries=2, pause=PAUSE, out=print):
    """Measures every case and returns the JSON-ready report."""
    stream = stream_bandwidth(threads)
    workers = [Worker(lib, case_file, threads) for lib in libs]
    try:
        report = {
            "machine": {"cpu": _cpu_name(), "cores": os.cpu_count(), "stream_copy_bytes_per_s": stream},
            "threads": threads,
            "libs": {w.lib: w.info for w in workers},
            "method": {"rounds": rounds, "tolerance": tolerance, "retries": retries, "pause": pause,
                       "reference": REFERENCE},
            "cases": {},
        }
        out(", ".join(f"{w.lib} {w.info['version']} ({w.info['threads']} threads)" for w in workers)
            + f"; STREAM copy {stream / 1e9:.1f} GB/s")
        header = f"{'case':38}" + "".join(f" {lib:>15}" for lib in libs) + f" {'dg/ref':>7} {'target':>7} STREAM"
        out(header)
        for case in cases:
            result = measure_case(case, workers, rounds, tolerance, retries, pause)
            result["target"] = case.target
            report["cases"][case.name] = result
            out(format_row(case.name, result, libs, stream, case.target))
            if result["refused"]:
                out(f"    refused: {result['refused']}")
        return report
    finally:
        for w in workers:
            w.close()


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
