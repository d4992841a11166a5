"""A short tour of dyngraph tensors: creation, dtypes, views, broadcasting,
indexing and NumPy interop. Run: python examples/tour.py"""

import numpy as np

import dyngraph as dg

# Creation and dtypes: Python data keeps its kind (int64, float32, bool, complex64).
a = dg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("a =", a)
print("shape", a.shape, "dtype", a.dtype, "strides", a.stride())
print("arange:", dg.arange(5), " linspace:", dg.linspace(0, 1, 3))

# Views share memory: transposing or slicing copies nothing.
t = a.T
print("a.T strides", t.stride(), "shares memory:", t.untyped_storage_ptr() == a.untyped_storage_ptr())
col = a[:, 1]
col[0] = 20.0  # writes through to a
print("after a[:, 1][0] = 20:", a)

# Broadcasting and type promotion, as in PyTorch.
row = dg.tensor([10, 20, 30])  # int64
print("a + row =", a + row, "->", (a + row).dtype)
print("int / int =", dg.tensor([3, 4]) / 2, "(true division gives floats)")
print("comparison:", a > 3)

# Basic indexing: ints, slices with steps, None and Ellipsis.
x = dg.arange(24).reshape(2, 3, 4)
print("x[1, ::2, -1] =", x[1, ::2, -1], " x[..., None].shape =", x[..., None].shape)

# NumPy interop is zero-copy both ways.
arr = np.arange(6, dtype=np.float64).reshape(2, 3)
shared = dg.from_numpy(arr)
arr[0, 0] = 100.0
print("from_numpy sees the change:", shared[0, 0].item())
print("back to NumPy:", (shared * 2).numpy())

# Seeded random numbers are reproducible.
dg.manual_seed(0)
r1 = dg.rand(3)
dg.manual_seed(0)
print("same seed, same numbers:", bool((r1 == dg.rand(3)).numpy().all()))
