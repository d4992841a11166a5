// Reductions: the output dtype, the dims, keepdim, and dispatch to the
// device's kernel over a ReduceIter; the backward of each beside it.
#include <algorithm>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "core/reduce_iter.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

std::vector<bool> reduced_mask(const Tensor& t, IntArrayRef dims) {
  std::vector<bool> mask(static_cast<size_t>(t.dim()), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, t.dim());
    DG_CHECK(t.dim() == 0 || !mask[w], Error, "dim ", w, " appears multiple times in the list of dims");
    if (t.dim() > 0) mask[w] = true;
  }
  return mask;
}

// The kept shape with reduced dims as size 1 (keepdim) or dropped.
Shape result_shape(const Tensor& t, const std::vector<bool>& mask, bool keepdim) {
  Shape s;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d]) s.push_back(t.sizes()[d]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

Dtype sum_dtype(const Tensor& t, std::optional<Dtype> dtype) {
  if (dtype) return *dtype;
  return is_integral(t.dtype(), true) ? kInt64 : t.dtype();
}

Tensor raw_sum(const Tensor& t, const std::vector<bool>& mask, bool keepdim, Dtype out_dtype) {
  NoGradGuard no_grad;
  Tensor input = to_dtype(t, is_integral(out_dtype, true) == is_integral(t.dtype(), true) ? t.dtype() : out_dtype);
  ReduceIter it = make_reduce_iter(input, mask, out_dtype);
  if (it.out_numel > 0) {
    if (it.red_numel == 0) {
      fill_(it.output, 0);
    } else {
      checked_kernel(kernel_table(t.device().type).sum, "sum", t.device())(it);
    }
  }
  Shape shape = result_shape(t, mask, keepdim);
  return shape.size() == it.output.sizes().size() ? it.output : reshape(it.output, shape);
}

// d(sum)/d(input): the gradient broadcast back over the reduced dims
// (scaled by 1/count for mean).
struct SumBackward final : Node {
  const char* op;
  Shape in_shape;
  std::vector<bool> mask;
  bool keepdim;
  double scale;
  SumBackward(const char* o, IntArrayRef s, std::vector<bool> m, bool k, double sc)
      : op(o), in_shape(s), mask(std::move(m)), keepdim(k), scale(sc) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& grads) override {
    Tensor g = grads[0];
    if (!keepdim) {
      for (size_t d = 0; d < mask.size(); ++d)
        if (mask[d]) g = unsqueeze(g, static_cast<int64_t>(d));
    }
    if (scale != 1.0) g = mul(g, scale);
    return {expand(g, in_shape)};
  }
};

Tensor reduce_with_history(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype,
                           bool is_mean, const char* op) {
  std::vector<bool> mask = reduced_mask(t, dims);
  Dtype out_dtype = sum_dtype(t, dtype);
  int64_t count = 1;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (mask[d]) count *= t.sizes()[d];
  if (is_mean) {
    Dtype md = dtype ? *dtype : t.dtype();
    DG_CHECK(is_floating_point(md) || is_complex(md), Error,
             "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
             "Got: ", dtype_name(md));
    out_dtype = md;
  }
  Tensor r = raw_sum(t, mask, keepdim, out_dtype);
  if (is_mean) {
    NoGradGuard no_grad;
    r = div(r, static_cast<double>(count));
  }
  if (any_requires_grad({&t}) && (is_floating_point(out_dtype) || is_complex(out_dtype))) {
    double scale = is_mean ? 1.0 / static_cast<double>(count) : 1.0;
    record(r, {&t}, make_intrusive<SumBackward>(op, t.sizes(), mask, keepdim, scale));
  }
  return r;
}

}  // namespace

Tensor sum(const Tensor& t, std::optional<Dtype> dtype) { return reduce_with_history(t, {}, false, dtype, false, "SumBackward0"); }
Tensor sum(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return reduce_with_history(t, dims, keepdim, dtype, false, "SumBackward1");
}
Tensor mean(const Tensor& t, std::optional<Dtype> dtype) { return reduce_with_history(t, {}, false, dtype, true, "MeanBackward0"); }
Tensor mean(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return reduce_with_history(t, dims, keepdim, dtype, true, "MeanBackward1");
}

}  // namespace dg
