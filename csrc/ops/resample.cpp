// interpolate (every mode of F.interpolate), average pooling and adaptive
// average pooling as one separable resampling op: each spatial axis gets a table of source taps
// (ops/resample_taps.h), and one kernel reads all axes' taps at once. The
// op is linear in its input, so its backward is the adjoint kernel and the
// adjoint's backward is the op again: gradients of any order, no host syncs.
#include <memory>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"
#include "ops/resample_taps.h"
#include "ops/window.h"

namespace dg {

namespace {

// Everything a resampling needs besides its data: the kernel arguments, the
// tap tables they point into (kept alive here), and the shapes.
struct ResamplePlan {
  ResampleArgs args{};
  std::vector<Tensor> tables;
  Shape input_sizes, output_sizes;
  Dtype dtype;
  const char* name;
};
using PlanPtr = std::shared_ptr<const ResamplePlan>;

template <class W>
void add_axis_tables(ResamplePlan& plan, int slot, const AxisTaps<W>& taps, Device device) {
  const int64_t n = static_cast<int64_t>(taps.index.size());
  Tensor index = empty({n}, TensorOptions(kInt64));
  Tensor weight = empty({n}, TensorOptions(std::is_same<W, double>::value ? kFloat64 : kFloat32));
  std::copy(taps.index.begin(), taps.index.end(), index.data_ptr<int64_t>());
  std::copy(taps.weight.begin(), taps.weight.end(), static_cast<W*>(weight.data_ptr()));
  if (device.type != DeviceType::CPU) {
    index = to_device(index, device);
    weight = to_device(weight, device);
  }
  plan.args.taps[slot] = taps.taps;
  plan.args.index[slot] = index.data_ptr<int64_t>();
  plan.args.weight[slot] = weight.data_ptr();
  plan.tables.push_back(index);
  plan.tables.push_back(weight);
}

std::shared_ptr<ResamplePlan> make_plan(const Tensor& input, IntArrayRef output_size, const std::vector<double>& scales,
                                        const char* name) {
  const int64_t dims = input.dim() - 2;
  DG_CHECK(dims >= 1 && dims <= 3, Error, name, ": expected a (batch, channels, *spatial) input with 1 to 3 spatial "
           "dims, got shape ", input.sizes());
  DG_CHECK(static_cast<int64_t>(output_size.size()) == dims, Error, name, ": expected ", dims,
           " output sizes for input of shape ", input.sizes(), ", got ", output_size);
  DG_CHECK(scales.empty() || static_cast<int64_t>(scales.size()) == dims, Error, name, ": expected ", dims,
           " scale factors, got ", scales.size());
  auto plan = std::make_shared<ResamplePlan>();
  plan->name = name;
  plan->dtype = input.dtype();
  plan->input_sizes = Shape(input.sizes());
  plan->output_sizes = Shape{input.sizes()[0], input.sizes()[1]};
  ResampleArgs& a = plan->args;
  a.dtype = input.dtype();
  DG_CHECK(!__builtin_mul_overflow(input.sizes()[0], input.sizes()[1], &a.planes), Error, name, ": input too large");
  for (int s = 0; s < 3; ++s) {
    a.in[s] = a.out[s] = a.taps[s] = 1;
    a.index[s] = nullptr;
    a.weight[s] = nullptr;
  }
  for (int64_t d = 0; d < dims; ++d) {
    const int64_t in = input.sizes()[static_cast<size_t>(2 + d)], out = output_size[static_cast<size_t>(d)];
    // An empty batch may have empty spatial dims; otherwise every size is positive.
    DG_CHECK(out >= 0 && (a.planes == 0 || (in > 0 && out > 0)), Error, "Input and output sizes should be greater "
             "than 0, but got input ", input.sizes(), " and output sizes ", output_size);
    const int slot = static_cast<int>(3 - dims + d);
    a.in[slot] = in;
    a.out[slot] = out;
    plan->output_sizes.push_back(out);
  }
  return plan;
}

// Builds the tap tables, one axis at a time: build(W(), d, in, out) returns
// spatial dim d's AxisTaps<W>. (Called after the output was allocated, so
// that an absurd size fails there, before any table.)
template <class Build>
void fill_tables(ResamplePlan& plan, Device device, const Build& build) {
  const int64_t dims = static_cast<int64_t>(plan.output_sizes.size()) - 2;
  const bool wide = plan.dtype == kFloat64 || plan.dtype == kComplex128;
  for (int64_t d = 0; d < dims; ++d) {
    const int slot = static_cast<int>(3 - dims + d);
    const int64_t in = plan.args.in[slot], out = plan.args.out[slot];
    if (wide) add_axis_tables(plan, slot, build(double(), d, in, out), device);
    else add_axis_tables(plan, slot, build(float(), d, in, out), device);
  }
}

// `out`, when given, is the dense output already allocated.
Tensor resample_forward(const Tensor& input, const PlanPtr& plan, Tensor out = Tensor());
Tensor resample_adjoint(const Tensor& grad, const PlanPtr& plan);

struct ResampleBackward final : Node {
  PlanPtr plan;
  std::string name() const override { return "ResampleBackward0"; }
  TensorList apply(TensorList&& grads) override { return {resample_adjoint(grads[0], plan)}; }
};

// The adjoint is linear in the gradient too: its own backward resamples.
struct ResampleAdjointBackward final : Node {
  PlanPtr plan;
  std::string name() const override { return "ResampleAdjointBackward0"; }
  TensorList apply(TensorList&& grads) override { return {resample_forward(grads[0], plan)}; }
};

Tensor resample_forward(const Tensor& input, const PlanPtr& plan, Tensor out) {
  Tensor x = contiguous(input.dtype() == plan->dtype ? input : to_dtype(input, plan->dtype));
  if (!out.defined()) out = empty(plan->output_sizes, TensorOptions(x.dtype()).device(x.device()));
  if (out.numel() > 0)
    checked_kernel(kernel_table(x.device().type).resample, "resample", x.device())(
        plan->args, static_cast<const char*>(x.data_ptr()), static_cast<char*>(out.data_ptr()));
  if (any_requires_grad({&input})) {
    auto node = make_intrusive<ResampleBackward>();
    node->plan = plan;
    record(out, {&input}, node);
  }
  return out;
}

Tensor resample_adjoint(const Tensor& grad, const PlanPtr& plan) {
  Tensor g = contiguous(grad.dtype() == plan->dtype ? grad : to_dtype(grad, plan->dtype));
  const Dtype acc = plan->dtype == kFloat16 || plan->dtype == kBFloat16 ? kFloat32 : plan->dtype;
  Tensor out = zeros(plan->input_sizes, TensorOptions(acc).device(g.device()));
  if (g.numel() > 0)
    checked_kernel(kernel_table(g.device().type).resample_backward, "resample_backward", g.device())(
        plan->args, static_cast<const char*>(g.data_ptr()), static_cast<char*>(out.data_ptr()));
  if (acc != plan->dtype) out = to_dtype(out, plan->dtype);
  if (any_requires_grad({&grad})) {
    auto node = make_intrusive<ResampleAdjointBackward>();
    node->plan = plan;
    record(out, {&grad}, node);
  }
  return out;
}

// Checks, plans and runs a resampling whose per-axis taps come from build (see fill_tables).
template <class Build>
Tensor resample(const Tensor& input, IntArrayRef output_size, bool weighted, const std::vector<double>& scales,
                const char* name, const Build& build) {
  DG_CHECK(!weighted || is_floating_point(input.dtype()) || is_complex(input.dtype()), NotImplementedError, "\"",
           name, "\" not implemented for '", dtype_name(input.dtype()), "'");
  auto plan = make_plan(input, output_size, scales, name);
  // Allocating the output first makes an absurd size fail before any table is built.
  Tensor out = empty(plan->output_sizes, TensorOptions(input.dtype()).device(input.device()));
  fill_tables(*plan, input.device(), build);
  return resample_forward(input, plan, out);
}

Tensor resample(const Tensor& input, IntArrayRef output_size, ResampleMode mode, bool align_corners,
                const std::vector<double>& scales, const char* name) {
  const bool weighted = mode != ResampleMode::nearest && mode != ResampleMode::nearest_exact;
  return resample(input, output_size, weighted, scales, name, [&](auto w, int64_t d, int64_t in, int64_t out) {
    const double scale = scales.empty() ? 0.0 : scales[static_cast<size_t>(d)];
    return axis_taps<decltype(w)>(mode, in, out, align_corners, scale);
  });
}

ResampleMode mode_of(const std::string& mode, bool antialias) {
  if (mode == "nearest") return ResampleMode::nearest;
  if (mode == "nearest-exact") return ResampleMode::nearest_exact;
  if (mode == "linear" || mode == "bilinear" || mode == "trilinear")
    return antialias ? ResampleMode::linear_antialias : ResampleMode::linear;
  if (mode == "bicubic" || mode == "cubic") return antialias ? ResampleMode::cubic_antialias : ResampleMode::cubic;
  if (mode == "area") return ResampleMode::area;
  if (mode == "lanczos") {
    DG_CHECK(antialias, ValueError, "Lanczos mode requires antialias=True");
    return ResampleMode::lanczos_antialias;
  }
  DG_FAIL(ValueError, "interpolate: unknown mode '", mode, "' (expected nearest, nearest-exact, linear, bilinear, "
          "bicubic, trilinear, lanczos or area)");
}

}  // namespace

Tensor interpolate(const Tensor& input, IntArrayRef output_size, const std::string& mode, bool align_corners,
                   const std::vector<double>& scales, bool antialias) {
  const ResampleMode m = mode_of(mode, antialias);
  const bool smoothing = m == ResampleMode::linear_antialias || m == ResampleMode::cubic_antialias ||
                         m == ResampleMode::lanczos_antialias;
  DG_CHECK(!antialias || (smoothing && input.dim() == 4), ValueError, "Anti-alias option is restricted to "
           "bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input");
  DG_CHECK(!align_corners || m == ResampleMode::linear || m == ResampleMode::cubic ||
               m == ResampleMode::linear_antialias || m == ResampleMode::cubic_antialias,
           ValueError, align_corners && m == ResampleMode::lanczos_antialias
                           ? "Lanczos mode does not support align_corners=True"
                           : "align_corners option can only be set with the interpolating modes: linear | bilinear | "
                             "bicubic | trilinear");
  return resample(input, output_size, m, align_corners, scales, "interpolate");
}

Tensor adaptive_avg_pool(const Tensor& input, IntArrayRef output_size) {
  return resample(input, output_size, ResampleMode::area, false, {}, "adaptive_avg_pool");
}

Tensor avg_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  const int64_t dims = input.dim() - 2;
  DG_CHECK(dims >= 1 && dims <= 3, Error, "avg_pool: expected a (batch, channels, *spatial) input with 1 to 3 "
           "spatial dims, got shape ", input.sizes());
  const char* op = dims == 1 ? "avg_pool1d" : dims == 2 ? "avg_pool2d" : "avg_pool3d";
  DG_CHECK(!divisor_override || *divisor_override != 0, Error, op, ": divisor must be not zero");
  const Shape k = per_dim(kernel_size, dims, "kernel_size", op);
  const Shape s = stride.empty() ? k : per_dim(stride, dims, "stride", op);
  const Shape p = per_dim(padding, dims, "padding", op);
  Shape out_sizes;
  for (int64_t d = 0; d < dims; ++d) {
    const size_t i = static_cast<size_t>(d);
    out_sizes.push_back(pooled_size(input.sizes()[2 + i], k[i], s[i], p[i], 1, ceil_mode, op));
  }
  // A divisor override weighs every tap 1 and divides once, on the first axis.
  return resample(input, out_sizes, true, {}, op, [&](auto w, int64_t d, int64_t in, int64_t out) {
    using W = decltype(w);
    const size_t i = static_cast<size_t>(d);
    AxisTaps<W> t = window_taps<W>(in, out, k[i], s[i], p[i], count_include_pad, divisor_override.has_value());
    if (divisor_override && d == 0)
      for (W& weight : t.weight) weight /= static_cast<W>(*divisor_override);
    return t;
  });
}

}  // namespace dg
