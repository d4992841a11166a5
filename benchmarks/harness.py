"""A small benchmark harness: named cases run for dyngraph, NumPy and PyTorch
(when installed) in one process, interleaved round by round so machine noise
hits all three alike, reported as medians and ratios to PyTorch."""

import statistics
import time


class Case:
    """One benchmark: a setup per library returning a zero-argument callable."""

    def __init__(self, name, setups, number=None, target=None):
        self.name = name
        self.setups = setups  # {"dyngraph": fn, "numpy": fn, "torch": fn} -> callable
        self.number = number  # calls per timing; None: calibrated to ~20 ms
        self.target = target  # max allowed dyngraph/torch ratio (informational)


def _calibrate(fn):
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > 0.02 or n >= 1 << 20:
            return n
        n *= 4 if dt < 0.005 else 2


def run_case(case, libs, rounds=7):
    """Median seconds per call for each library that has a setup."""
    fns = {lib: case.setups[lib]() for lib in libs if lib in case.setups}
    for fn in fns.values():  # warm up (allocator caches, page faults, lazy imports)
        fn()
        fn()
    number = case.number or min(_calibrate(fn) for fn in fns.values())
    samples = {lib: [] for lib in fns}
    for _ in range(rounds):
        for lib, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples[lib].append((time.perf_counter() - t0) / number)
    return {lib: statistics.median(s) for lib, s in samples.items()}


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:9.2f} us"
    if s < 1:
        return f"{s * 1e3:9.2f} ms"
    return f"{s:9.3f} s "


def report(cases, libs, rounds=7, out=print):
    out(f"{'case':34} {'dyngraph':>12} {'numpy':>12} {'torch':>12} {'dg/torch':>9} {'target':>7}")
    results = {}
    for case in cases:
        r = run_case(case, libs, rounds)
        results[case.name] = r
        dg, np_, th = r.get("dyngraph"), r.get("numpy"), r.get("torch")
        ratio = f"{dg / th:9.2f}" if dg and th else f"{'-':>9}"
        target = f"{case.target:7.2f}" if case.target else f"{'':>7}"
        out(f"{case.name:34} {fmt_time(dg):>12} {fmt_time(np_):>12} {fmt_time(th):>12} {ratio} {target}")
    return results
