// Factories: empty/zeros/ones/full/arange/linspace/eye and the *_like forms.
#include <cmath>

#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

TensorIter output_iter(Tensor& out, const char* name) {
  IterSpec spec;
  spec.out = out;
  spec.out_dtype = out.dtype();
  spec.op_name = name;
  return make_iter(spec);
}
}  // namespace

Tensor full(IntArrayRef shape, const Scalar& value, TensorOptions options) {
  if (!options.has_dtype) options = options.dtype(value.weak_dtype());
  Tensor t = empty(shape, options);
  return fill_(t, value);
}
Tensor zeros(IntArrayRef shape, TensorOptions options) {
  Tensor t = empty(shape, options);
  return fill_(t, 0);
}
Tensor ones(IntArrayRef shape, TensorOptions options) {
  Tensor t = empty(shape, options);
  return fill_(t, 1);
}
Tensor scalar_tensor(const Scalar& value, TensorOptions options) {
  if (!options.has_dtype) options = options.dtype(value.weak_dtype());
  return full({}, value, options);
}

namespace {
TensorOptions like(const Tensor& t, TensorOptions options) {
  TensorOptions o = options;
  if (!o.has_dtype) o = o.dtype(t.dtype());
  if (!o.has_device) o = o.device(t.device());
  return o;
}
}  // namespace
// *_like keep the tensor's dtype and device unless options give them.
Tensor empty_like(const Tensor& t, TensorOptions options) { return empty(t.sizes(), like(t, options)); }
Tensor zeros_like(const Tensor& t, TensorOptions options) { return zeros(t.sizes(), like(t, options)); }
Tensor ones_like(const Tensor& t, TensorOptions options) { return ones(t.sizes(), like(t, options)); }
Tensor full_like(const Tensor& t, const Scalar& value, TensorOptions options) {
  return full(t.sizes(), value, like(t, options));
}

Tensor arange(const Scalar& end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, TensorOptions options) {
  const bool all_int = !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point() &&
                       !start.is_complex() && !end.is_complex() && !step.is_complex();
  Dtype dtype = options.dtype_or(all_int ? kInt64 : default_dtype());
  DG_CHECK(!is_complex(dtype) && dtype != kBool, TypeError, "arange: unsupported dtype ", dtype_name(dtype));
  double s = start.to_double(), e = end.to_double(), st = step.to_double();
  DG_CHECK(std::isfinite(s) && std::isfinite(e), Error, "unsupported range: ", s, " -> ", e);
  DG_CHECK(st != 0, Error, "step must be nonzero");
  DG_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), Error,
           "upper bound and larger bound inconsistent with step sign");
  int64_t n;
  if (all_int) {
    int64_t a = start.to_long(), b = end.to_long(), c = step.to_long();
    n = c > 0 ? (b - a + c - 1) / c : (a - b + (-c) - 1) / (-c);
  } else {
    n = static_cast<int64_t>(std::ceil((e - s) / st));
  }
  Tensor out = empty({n}, options.dtype(dtype));
  if (n > 0) {
    TensorIter it = output_iter(out, "arange");
    checked_kernel(kernel_table(out.device().type).arange, "arange", out.device())(it, start, step);
  }
  return out;
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, TensorOptions options) {
  DG_CHECK(steps >= 0, Error, "number of steps must be non-negative");
  Dtype fallback = start.is_complex() || end.is_complex() ? default_complex_dtype() : default_dtype();
  Tensor out = empty({steps}, options.dtype(options.dtype_or(fallback)));
  if (steps > 0) {
    TensorIter it = output_iter(out, "linspace");
    checked_kernel(kernel_table(out.device().type).linspace, "linspace", out.device())(it, start, end, steps);
  }
  return out;
}

Tensor eye(int64_t n, TensorOptions options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, TensorOptions options) {
  DG_CHECK(n >= 0, Error, "n must be greater or equal to 0, got ", n);
  DG_CHECK(m >= 0, Error, "m must be greater or equal to 0, got ", m);
  Tensor out = zeros({n, m}, options);
  if (n > 0 && m > 0) {
    Tensor diag = diagonal(out);
    fill_(diag, 1);
  }
  return out;
}

}  // namespace dg
