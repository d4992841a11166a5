"""One library's benchmark process (see harness.py).

    python worker.py LIB CASE_FILE THREADS

Imports only LIB (through the cases' own setups) and CASE_FILE, whose CASES
list names the cases. Reads one JSON request per line and answers one:

    {"op": "info"}                           -> {"version", "threads"}
    {"op": "setup", "case", "number"}        -> {"number"}: inputs built, call warmed,
                                                calls per sample calibrated when number is null
    {"op": "time", "case", "number"}         -> {"seconds"}: per call, over number calls
                                                after as many untimed calls (see _time)
    {"op": "drop", "case"}                   -> {}: inputs freed
"""

import importlib
import importlib.util
import json
import sys
import time


def _load_cases(path):
    spec = importlib.util.spec_from_file_location("bench_cases", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_cases"] = module
    spec.loader.exec_module(module)
    return {case.name: case for case in module.CASES}


def _library_info(lib, threads):
    """Sets the library's thread count and reports its version and threads."""
    if lib in ("dyngraph", "torch"):
        mod = importlib.import_module(lib)
        mod.set_num_threads(threads)
        return {"version": mod.__version__, "threads": mod.get_num_threads()}
    if lib == "numpy":
        import numpy

        return {"version": numpy.__version__, "threads": threads}  # OPENBLAS_NUM_THREADS, set by the harness
    return {"version": "-", "threads": threads}


def _calibrate(fn, seconds=0.02):
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > seconds or n >= 1 << 20:
            return n
        n *= 4 if dt < seconds / 4 else 2


def _time(fn, number):
    # First the same calls untimed: whatever ran before (another library's
    # turn) evicted this library's data from the caches and let its threads
    # and the cores idle, while a library timed alone runs warm, straight
    # after its previous sample. Warming first makes every sample start from
    # the state that a library running alone is in.
    for _ in range(number):
        fn()
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def main():
    lib, case_file, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    cases = _load_cases(case_file)
    ready = {}
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            if op == "info":
                reply = _library_info(lib, threads)
            elif op == "setup":
                fn = cases[request["case"]].setups[lib]()
                fn()  # warm: allocator caches, page faults, lazy imports
                fn()
                ready[request["case"]] = fn
                reply = {"number": request.get("number") or _calibrate(fn)}
            elif op == "time":
                reply = {"seconds": _time(ready[request["case"]], request["number"])}
            elif op == "drop":
                ready.pop(request["case"], None)
                reply = {}
            else:
                reply = {"error": f"unknown request {op!r}"}
        except Exception as e:  # reported to the harness, which stops with it
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
