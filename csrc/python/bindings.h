// The parts of the _C module; each bind_* lives in its own file.
#pragma once

#include "python/casters.h"

namespace dg::python {

void bind_tensor(pybind11::module_& m);     // the Tensor class: properties, methods, operators
void bind_indexing(pybind11::module_& m);   // __getitem__ / __setitem__
void bind_functions(pybind11::module_& m);  // module-level ops: factories, random, promotion
void bind_numpy(pybind11::module_& m);      // from_numpy, Tensor.numpy(), the buffer protocol
void bind_dlpack(pybind11::module_& m);     // _to_dlpack / _from_dlpack: DLPack capsules both ways
void bind_autograd(pybind11::module_& m);   // requires_grad, grad, grad_fn, engine, grad modes, custom functions
void bind_math(pybind11::module_& m);       // elementwise math: unary, binary, ternary ops and operators
void bind_linalg(pybind11::module_& m);     // matmul and products
void bind_reductions(pybind11::module_& m); // prod, max/min, argmax, all/any, var/std, softmax, norms
void bind_nn(pybind11::module_& m);         // convolution, pooling, normalization, losses
void bind_join_sort(pybind11::module_& m);  // cat/stack, flip/roll/repeat, sort/topk, cumsum
void bind_autocast(pybind11::module_& m);   // autocast's thread-local state and casts
void bind_cuda(pybind11::module_& m);       // the CUDA runtime: devices, streams, events, memory, pinning
void bind_out_overloads(pybind11::module_& m);  // out= on every public function (bound last)

// The sizes in a call like view(2, 3) or view((2, 3)).
Shape sizes_from_args(const pybind11::args& args, const char* fn);
// Ops returning several tensors give tuples, as in PyTorch.
pybind11::tuple as_tuple(const std::vector<Tensor>& ts);
// A reduction's dim argument: None, an int or a sequence of ints.
std::optional<Shape> dims_arg(const pybind11::object& dim);

}  // namespace dg::python
