"""dyngraph vs NumPy vs PyTorch on the CPU, each library in its own process.

    python benchmarks/bench.py                     # every case
    python benchmarks/bench.py -k sum              # cases whose name contains "sum"
    python benchmarks/bench.py --json out.json     # also write the full results

Prints per case each library's median time per call and its spread (the
interquartile range, as a percentage of the median), dyngraph's ratio to
PyTorch (lower is better; "refused" when PyTorch timed differently in the
harness than alone), the target the issues set, and for memory-bound cases
the fraction of the machine's STREAM copy bandwidth that dyngraph reached.
The method is in benchmarks/README.md.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from cases import CASES  # noqa: E402


def import_time(lib, rounds=5):
    """Median seconds to import lib in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {lib}; print(time.perf_counter() - t)"
    samples = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(rounds)]
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--tolerance", type=float, default=0.10,
                        help="largest change of PyTorch's median in the harness vs alone")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--pause", type=float, default=harness.PAUSE,
                        help="seconds between turns, for the previous library's threads to go to sleep")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    libs = ["dyngraph", "numpy"] + (["torch"] if importlib.util.find_spec("torch") else [])
    cases = [c for c in CASES if args.k in c.name]
    report = harness.run(cases, os.path.join(HERE, "cases.py"), libs, args.threads, args.rounds,
                         args.tolerance, args.retries, args.pause)
    if args.k in "import":
        report["import_seconds"] = {lib: import_time(lib) for lib in libs}
        print("import (fresh interpreter): " + ", ".join(
            f"{lib} {t * 1e3:.0f} ms" for lib, t in report["import_seconds"].items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
