// The parts of the _C module; each bind_* lives in its own file.
#pragma once

#include "python/casters.h"

namespace dg::python {

void bind_tensor(pybind11::module_& m);     // the Tensor class: properties, methods, operators
void bind_indexing(pybind11::module_& m);   // __getitem__ / __setitem__
void bind_functions(pybind11::module_& m);  // module-level ops: factories, random, promotion
void bind_numpy(pybind11::module_& m);      // from_numpy, Tensor.numpy(), the buffer protocol
void bind_autograd(pybind11::module_& m);
void bind_math(pybind11::module_& m);
void bind_linalg(pybind11::module_& m);
void bind_reductions(pybind11::module_& m);
void bind_nn(pybind11::module_& m);
void bind_out_overloads(pybind11::module_& m);  // out= on every public function          // convolution, pooling, normalization, losses
void bind_join_sort(pybind11::module_& m);   // cat/stack, flip/roll/repeat, sort/topk, cumsum  // prod, max/min, argmax, all/any, var/std, softmax, norms     // matmul and products       // elementwise math: unary, binary, ternary ops and operators   // requires_grad, grad, grad_fn, engine, grad modes, custom functions

// The sizes in a call like view(2, 3) or view((2, 3)).
Shape sizes_from_args(const pybind11::args& args, const char* fn);
// Ops returning several tensors give tuples, as in PyTorch.
pybind11::tuple as_tuple(const std::vector<Tensor>& ts);
// A reduction's dim argument: None, an int or a sequence of ints.
std::optional<Shape> dims_arg(const pybind11::object& dim);

}  // namespace dg::python
