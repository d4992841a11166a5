"""dyngraph vs PyTorch on a CUDA GPU, side by side in one process, runs interleaved.

    python benchmarks/gpu_bench.py [--rounds N] [-k substr]

Each case times a batch of calls between two synchronizations (CUDA events would hide the host-side
launch cost that the small-op case is about). Prints per case dyngraph's and PyTorch's median time, the
achieved bandwidth or TFLOP/s, and the ratio dyngraph/PyTorch (lower is better) with the issue's target.
"""

import argparse
import statistics
import sys
import time

import dyngraph as dg

try:
    import torch
except ImportError:
    torch = None

M64 = 64 * 1024 * 1024


def sync(lib):
    (dg if lib == "dyngraph" else torch).cuda.synchronize()


def timed(lib, fn, repeat):
    sync(lib)
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    sync(lib)
    return (time.perf_counter() - start) / repeat


def elementwise_add(lib):
    mod = dg if lib == "dyngraph" else torch
    a, b = mod.rand(M64, device="cuda"), mod.rand(M64, device="cuda")
    return lambda: a + b, 3 * 4 * M64, "bytes"


def sum_all(lib):
    mod = dg if lib == "dyngraph" else torch
    a = mod.rand(M64, device="cuda")
    return lambda: a.sum(), 4 * M64, "bytes"


def sum_rows(lib):
    mod = dg if lib == "dyngraph" else torch
    a = mod.rand(8192, 8192, device="cuda")
    return lambda: a.sum(1), 4 * 8192 * 8192, "bytes"


def softmax(lib):
    mod = dg if lib == "dyngraph" else torch
    a = mod.rand(8192, 4096, device="cuda")
    return lambda: mod.softmax(a, -1), 2 * 4 * 8192 * 4096, "bytes"


def matmul(dtype_name, tf32=False, n=8192):
    def case(lib):
        mod = dg if lib == "dyngraph" else torch
        mod.backends.cuda.matmul.allow_tf32 = tf32
        dtype = getattr(mod, dtype_name)
        a = mod.rand(n, n, device="cuda").to(dtype)
        b = mod.rand(n, n, device="cuda").to(dtype)
        return lambda: a @ b, 2 * n ** 3, "flops"
    return case


def mlp_step(lib):
    mod = dg if lib == "dyngraph" else torch
    mod.manual_seed(0)
    model = mod.nn.Sequential(mod.nn.Linear(1024, 4096), mod.nn.ReLU(), mod.nn.Linear(4096, 4096), mod.nn.ReLU(),
                              mod.nn.Linear(4096, 10)).to("cuda")
    opt = mod.optim.Adam(model.parameters(), lr=1e-3)
    x = mod.rand(512, 1024, device="cuda")
    y = (mod.rand(512, device="cuda") * 10).long()

    def step():
        opt.zero_grad()
        mod.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step, None, None


def small_add(lib):
    mod = dg if lib == "dyngraph" else torch
    a, b = mod.ones(1, device="cuda"), mod.ones(1, device="cuda")
    return lambda: a + b, None, None


CASES = [
    ("add 64M float32", elementwise_add, 0.9 ** -1, 20),
    ("sum 64M float32", sum_all, 0.9 ** -1, 20),
    ("sum rows 8192x8192", sum_rows, 0.9 ** -1, 20),
    ("softmax 8192x4096", softmax, 0.9 ** -1, 20),
    ("matmul 8192 float32", matmul("float32"), 0.9 ** -1, 5),
    ("matmul 8192 tf32", matmul("float32", tf32=True), 0.9 ** -1, 5),
    ("matmul 8192 bfloat16", matmul("bfloat16"), 0.9 ** -1, 10),
    ("MLP train step (Adam)", mlp_step, 1.1, 20),
    ("small op launch (add, 1 elem)", small_add, 1.0, 2000),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("-k", default="")
    args = parser.parse_args()
    if not dg.cuda.is_available():
        print("no CUDA GPU: nothing to benchmark")
        return 0
    if torch is None or not torch.cuda.is_available():
        print("PyTorch with CUDA is needed for the comparison")
        return 1
    print(f"{'case':32} {'dyngraph':>12} {'torch':>12} {'dg rate':>12} {'ratio':>7} {'target':>7}")
    misses = 0
    for name, make, target, repeat in CASES:
        if args.k not in name:
            continue
        fns, work, unit = {}, None, None
        for lib in ("dyngraph", "torch"):
            fns[lib], work, unit = make(lib)
            timed(lib, fns[lib], 2)  # warm-up: allocator, cuBLAS handles and heuristics
        times = {"dyngraph": [], "torch": []}
        for _ in range(args.rounds):
            for lib in ("dyngraph", "torch"):
                times[lib].append(timed(lib, fns[lib], repeat))
        dg_t, torch_t = statistics.median(times["dyngraph"]), statistics.median(times["torch"])
        ratio = dg_t / torch_t
        rate = ""
        if unit == "bytes":
            rate = f"{work / dg_t / 1e9:8.0f} GB/s"
        elif unit == "flops":
            rate = f"{work / dg_t / 1e12:6.1f} TF/s"
        ok = ratio <= target
        misses += not ok
        print(f"{name:32} {dg_t * 1e6:10.1f}us {torch_t * 1e6:10.1f}us {rate:>12} {ratio:7.2f} {target:7.2f}"
              f"{'' if ok else '  MISSED'}")
    torch.backends.cuda.matmul.allow_tf32 = False
    dg.backends.cuda.matmul.allow_tf32 = False
    print(f"{misses} target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
