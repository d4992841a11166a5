"""Writes the checked-in seed corpus, tools/fuzz/corpus/<target>/seed-*.

Run it again (python tools/fuzz/make_seeds.py) when a target changes how it reads its input. fuzz_load and
fuzz_pickle take a mode byte and then a file or pickle, so their seeds are real ones; the other targets read
everything through atheris.FuzzedDataProvider, for which any bytes are a valid start.
"""

import collections
import io
import json
import os
import pickle
import random
import shutil
import struct

import dyngraph

HERE = os.path.dirname(os.path.abspath(__file__))


def saved(obj):
    buf = io.BytesIO()
    dyngraph.save(obj, buf)
    return buf.getvalue()


def foreign_safetensors():
    """A safetensors file without dyngraph's structure metadata, as other tools write them."""
    header = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "m": {"dtype": "BOOL", "shape": [3], "data_offsets": [8, 11]}}
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + struct.pack("<2f", 1.5, -2.0) + bytes([0, 1, 2])


def torch_checkpoint():
    """A checkpoint PyTorch's torch.save wrote (zip format), committed with the tests."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "torch_checkpoint.pt")
    with open(path, "rb") as f:
        return f.read()


def load_seeds():
    t = dyngraph.arange(6).reshape(2, 3).float()
    files = [
        saved(t),
        saved(collections.OrderedDict(weight=t, bias=dyngraph.zeros(3))),
        saved({"state": {0: {"step": dyngraph.tensor(3.0), "m": t.T}}, "groups": [{"lr": 0.1, "betas": (0.9, 0.99)}]}),
        saved([dyngraph.float16, dyngraph.device("cpu"), dyngraph.Size([2]), b"raw", 1 + 2j, None, t.bfloat16()]),
        saved({"mask": dyngraph.tensor([True, False]), "empty": dyngraph.zeros(0, 4), "c": dyngraph.ones(2).cfloat()}),
        foreign_safetensors(),
        torch_checkpoint(),
    ]
    rng = random.Random(0)
    return [b"\x00" + f for f in files] + [b"\x01" + rng.randbytes(32) for _ in range(4)]


def pickle_seeds():
    ts = [dyngraph.arange(6).reshape(2, 3).T, dyngraph.tensor([True, False]), dyngraph.ones(2).bfloat16(),
          dyngraph.zeros(0, 2, dtype=dyngraph.int16), dyngraph.tensor(1.5, requires_grad=True)]
    rng = random.Random(1)
    raw = [b"\x02" + pickle.dumps(t, protocol=p) for t in ts for p in (2, 5)]
    return raw + [b"\x00" + rng.randbytes(64) for _ in range(3)] + [b"\x01" + rng.randbytes(16) for _ in range(3)]


def random_seeds(seed, count=8, size=96):
    rng = random.Random(seed)
    return [rng.randbytes(rng.randint(8, size)) for _ in range(count)]


def main():
    seeds = {
        "fuzz_load": load_seeds(),
        "fuzz_pickle": pickle_seeds(),
        "fuzz_interop": random_seeds(2, size=320),  # 256 bytes of buffer contents, then the layout
        "fuzz_indexing": random_seeds(3),
        "fuzz_views": random_seeds(4),
    }
    for target, blobs in seeds.items():
        folder = os.path.join(HERE, "corpus", target)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for i, blob in enumerate(blobs):
            with open(os.path.join(folder, f"seed-{i:02d}"), "wb") as f:
                f.write(blob)
        print(f"{target}: {len(blobs)} seeds")


if __name__ == "__main__":
    main()
