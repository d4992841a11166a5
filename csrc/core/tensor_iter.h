// TensorIter: the shared front half of every elementwise loop. It takes an
// output (or allocates one) and up to three inputs, broadcasts them, orders
// the dimensions so the innermost one is the fastest-moving in memory,
// allocates a fresh output in the inputs' layout, and merges dimensions that
// are contiguous together. Devices then run their loops over the result:
// `shape` and `strides` (in bytes) are stored innermost dimension first.
#pragma once

#include <cstdint>

#include "dyngraph/tensor.h"

namespace dg {

constexpr int kMaxOperands = 4;  // the output plus up to three inputs

struct TensorIter {
  int nops = 0;  // operands; index 0 is the output
  int ndim = 0;
  int64_t numel = 0;
  Shape shape;                         // innermost first, after merging
  Shape strides[kMaxOperands];         // bytes, innermost first
  char* data[kMaxOperands] = {};
  Dtype dtypes[kMaxOperands] = {};
  Tensor operands[kMaxOperands];       // keeps inputs (and a fresh output) alive
  Device device;

  const Tensor& output() const { return operands[0]; }
  // True when every operand is dense and in the same order (a 1-D loop).
  bool is_contiguous() const;
};

// How to build an iterator. Inputs must already have the dtype the kernel
// reads (ops cast them first); the output gets out_dtype.
struct IterSpec {
  Tensor out;                   // undefined: allocate one
  const Tensor* inputs[kMaxOperands - 1] = {};
  int ninputs = 0;
  Dtype out_dtype = kFloat32;
  bool resize_out = false;      // an out= tensor of the wrong shape is resized (unused for in-place)
  const char* op_name = "op";

  IterSpec& add_input(const Tensor& t) {
    inputs[ninputs++] = &t;
    return *this;
  }
};

DG_API TensorIter make_iter(IterSpec& spec);

// Throws when an in-place write would hit one element twice (an expanded
// output, e.g. a broadcast view).
void check_no_internal_overlap(const Tensor& t, const char* op_name);

}  // namespace dg
