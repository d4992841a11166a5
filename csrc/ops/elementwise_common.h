// Machinery shared by the elementwise op files: casting rules, running an op
// into an out= / in-place tensor, and in-place ops under autograd.
#pragma once

#include <cctype>
#include <string>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

// PyTorch's canCast: no complex -> real, float -> integer, or number -> bool.
inline bool can_cast(Dtype from, Dtype to) {
  if (is_complex(from) && !is_complex(to)) return false;
  if (is_floating_point(from) && is_integral(to, true)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

// Runs the op into `out` (allocated when undefined); returns the result.
// `build` adds the iterator's inputs and runs the kernel.
template <class Build>
Tensor run_into(Tensor out, Dtype result, const char* name, const Build& build) {
  if (out.defined() && out.dtype() != result) {
    DG_CHECK(can_cast(result, out.dtype()), Error, "result type ", dtype_name(result),
             " can't be cast to the desired output type ", dtype_name(out.dtype()));
    Tensor tmp = build(Tensor(), result);
    copy_(out, tmp);
    return out;
  }
  (void)name;
  return build(out, result);
}

// PyTorch's node name for an op: exp -> ExpBackward0, leaky_relu -> LeakyReluBackward0.
inline std::string backward_node_name(const std::string& op) {
  std::string out;
  bool cap = true;
  for (char c : op) {
    if (c == '_') {
      cap = true;
      continue;
    }
    out += cap ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    cap = false;
  }
  return out + "Backward0";
}

// Builds the iterator over inputs into target (allocated when undefined,
// with dtype result), calls launch(iter, kernel table, device), and returns
// the output.
template <class Launch>
Tensor launch_elementwise(Tensor target, Dtype result, const char* name, std::initializer_list<const Tensor*> inputs,
                          const Launch& launch) {
  IterSpec spec;
  spec.out = std::move(target);
  spec.out_dtype = result;
  spec.op_name = name;
  for (const Tensor* t : inputs) spec.add_input(*t);
  TensorIter it = make_iter(spec);
  launch(it, kernel_table(it.device.type), it.device);
  return spec.out;
}

// In place: the plain kernel (raw), or, when autograd is involved, the
// out-of-place op whose history the tensor takes (recorded).
template <class Raw, class Recorded>
Tensor& inplace(Tensor& a, std::initializer_list<const Tensor*> others, const Raw& raw, const Recorded& recorded) {
  bool grad = grad_enabled() && (requires_grad(a) || [&] {
                for (const Tensor* t : others)
                  if (requires_grad(*t)) return true;
                return false;
              }());
  if (grad) return inplace_with_history(a, recorded);
  check_inplace(a);
  raw();
  return a;
}


// Run binary op a (op) b, or with a Python scalar (reversed: scalar op
// tensor), into out (allocated when undefined), without recording history.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, Tensor out);
Tensor binary_scalar(BinaryOp op, const Tensor& a, const Scalar& b, const Scalar& alpha, bool reversed, Tensor out);

// Runs unary op into out (allocated when undefined), without recording history.
Tensor unary_raw(UnaryOp op, const Tensor& x, const ops::UnaryParams& params, Tensor out);

}  // namespace dg
