// grid_sample: every output point reads a few input taps chosen by the grid.
// Per spatial axis, the grid's coordinate gives tap positions and weights
// (PyTorch's unnormalize, padding and interpolation formulas); the taps of all
// axes combine into one (index, weight) list per point, and one weighted
// gather reads the input through it. The gather, its scatter adjoint and its
// per-tap dot product are C++ kernels whose derivatives are each other. The
// taps come from one kernel over the grid (kernels/grid_taps.h), whose
// backward kernel gives the grid's gradient; under create_graph, and for
// half precision, the same taps are composed from differentiable ops, so
// gradients of any order, for input and grid, come free.
#include <vector>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

Tensor run_taps(TapOp op, const Tensor& a, const Tensor& b, const Tensor& index, const Tensor& weight,
                const Shape& out_shape, Dtype out_dtype, int64_t channels, int64_t sources) {
  Tensor out = op == TapOp::scatter ? zeros(out_shape, TensorOptions(out_dtype).device(a.device()))
                                    : empty(out_shape, TensorOptions(out_dtype).device(a.device()));
  if (out.numel() == 0) return out;
  TapArgs args{};
  args.op = op;
  args.dtype = a.dtype();
  args.batch = index.sizes()[0];
  args.points = index.sizes()[1];
  args.taps = index.sizes()[2];
  args.channels = channels;
  args.sources = sources;
  args.index = index.data_ptr<int64_t>();
  args.weight = weight.defined() ? static_cast<const char*>(weight.data_ptr()) : nullptr;
  args.a = static_cast<const char*>(a.data_ptr());
  args.b = b.defined() ? static_cast<const char*>(b.data_ptr()) : nullptr;
  args.out = static_cast<char*>(out.data_ptr());
  checked_kernel(kernel_table(a.device().type).taps, "grid_sample", a.device())(args);
  return out;
}

Dtype opmath_dtype(Dtype d) { return d == kFloat16 || d == kBFloat16 ? kFloat32 : d; }

Tensor tap_gather(const Tensor& x, const Tensor& index, const Tensor& weight);
Tensor tap_scatter(const Tensor& grad, const Tensor& index, const Tensor& weight, int64_t sources);
Tensor tap_dot(const Tensor& grad, const Tensor& x, const Tensor& index);

struct TapGatherBackward final : Node {
  Tensor x, index, weight;
  std::string name() const override { return "GridSamplerBackward0"; }
  TensorList apply(TensorList&& grads) override {
    return {next_edges[0].valid() ? tap_scatter(grads[0], index, weight, x.sizes()[2]) : Tensor(),
            next_edges[1].valid() ? tap_dot(grads[0], x, index) : Tensor()};
  }
};

struct TapScatterBackward final : Node {
  Tensor grad, index, weight;
  std::string name() const override { return "GridSamplerBackwardBackward0"; }
  TensorList apply(TensorList&& grads) override {
    return {next_edges[0].valid() ? tap_gather(grads[0], index, weight) : Tensor(),
            next_edges[1].valid() ? tap_dot(grad, grads[0], index) : Tensor()};
  }
};

struct TapDotBackward final : Node {
  Tensor grad, x, index;
  std::string name() const override { return "GridSamplerBackwardBackward1"; }
  TensorList apply(TensorList&& grads) override {
    return {next_edges[0].valid() ? tap_gather(x, index, grads[0]) : Tensor(),
            next_edges[1].valid() ? tap_scatter(grad, index, grads[0], x.sizes()[2]) : Tensor()};
  }
};

// out (N, C, P) = sum_t weight * x[index] for x (N, C, S), index and weight (N, P, T).
Tensor tap_gather(const Tensor& x_in, const Tensor& index, const Tensor& weight_in) {
  Tensor x = contiguous(x_in), weight = contiguous(to_dtype(weight_in, x_in.dtype()));
  Tensor out = run_taps(TapOp::gather, x, Tensor(), index, weight, {x.sizes()[0], x.sizes()[1], index.sizes()[1]},
                        x.dtype(), x.sizes()[1], x.sizes()[2]);
  if (any_requires_grad({&x_in, &weight_in})) {
    auto node = make_intrusive<TapGatherBackward>();
    node->x = x;
    node->index = index;
    node->weight = weight;
    record(out, {&x_in, &weight_in}, node);
  }
  return out;
}

// out (N, C, S): each grad (N, C, P) element times its taps' weights, added at their indices.
Tensor tap_scatter(const Tensor& grad_in, const Tensor& index, const Tensor& weight_in, int64_t sources) {
  Tensor grad = contiguous(grad_in), weight = contiguous(to_dtype(weight_in, grad_in.dtype()));
  Tensor out = run_taps(TapOp::scatter, grad, Tensor(), index, weight, {grad.sizes()[0], grad.sizes()[1], sources},
                        opmath_dtype(grad.dtype()), grad.sizes()[1], sources);
  if (out.dtype() != grad.dtype()) out = to_dtype(out, grad.dtype());
  if (any_requires_grad({&grad_in, &weight_in})) {
    auto node = make_intrusive<TapScatterBackward>();
    node->grad = grad;
    node->index = index;
    node->weight = weight;
    record(out, {&grad_in, &weight_in}, node);
  }
  return out;
}

// out (N, P, T) = sum_c grad[c, point] * x[c, index] (the gradient of the tap weights).
Tensor tap_dot(const Tensor& grad_in, const Tensor& x_in, const Tensor& index) {
  Tensor grad = contiguous(grad_in), x = contiguous(to_dtype(x_in, grad_in.dtype()));
  Tensor out = run_taps(TapOp::dot, grad, x, index, Tensor(), Shape(index.sizes()), grad.dtype(), grad.sizes()[1],
                        x.sizes()[2]);
  if (any_requires_grad({&grad_in, &x_in})) {
    auto node = make_intrusive<TapDotBackward>();
    node->grad = grad;
    node->x = x;
    node->index = index;
    record(out, {&grad_in, &x_in}, node);
  }
  return out;
}

// ---- the taps of one axis -----------------------------------------------------------------------

enum class Padding { zeros, border, reflection };

// grid_sampler_unnormalize: [-1, 1] to pixel coordinates.
Tensor unnormalize(const Tensor& c, int64_t size, bool align_corners) {
  if (align_corners) return div(c + 1, 2) * static_cast<double>(size - 1);
  return div((c + 1) * static_cast<double>(size) - 1, 2);
}

// reflect_coordinates: folds c into [twice_low / 2, twice_high / 2].
Tensor reflect(const Tensor& c, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return zeros_like(c);
  const double low = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  Tensor in = abs(c - low);
  Tensor extra = fmod(in, Scalar(span)), flips = floor(div(in, span));
  Tensor even = eq(remainder(flips, 2.0), 0.0);
  return where(even, extra + low, (span - extra) + low);
}

Tensor apply_padding(const Tensor& c, int64_t size, Padding padding, bool align_corners) {
  if (padding == Padding::zeros) return c;
  Tensor r = c;
  if (padding == Padding::reflection)
    r = align_corners ? reflect(c, 0, 2 * (size - 1)) : reflect(c, -1, 2 * size - 1);
  return clamp(r, Scalar(0.0), Scalar(static_cast<double>(size - 1)));
}

// safe_downgrade_to_int_range: non-finite or huge coordinates read nothing.
Tensor safe_coordinate(const Tensor& c) { return where(le(abs(c), 2147483646.0), c, Scalar(-100.0)); }

// The taps of one axis, one contiguous (N, P) tensor per tap: (N, P) ops
// run several times faster than broadcasts over a last dim of 2 or 4.
struct Taps {
  std::vector<Tensor> index;   // int64, each in [0, size)
  std::vector<Tensor> weight;  // zero where the tap falls outside the input
};

// Adds the tap at integer position pos with weight w: outside ones get weight 0.
void add_bounded(Taps& taps, const Tensor& pos, const Tensor& w, int64_t size) {
  Tensor inside = logical_and(ge(pos, 0.0), le(pos, static_cast<double>(size - 1)));
  taps.index.push_back(to_dtype(clamp(pos, Scalar(0.0), Scalar(static_cast<double>(size - 1))), kInt64));
  taps.weight.push_back(where(inside, w, Scalar(0.0)));
}

Taps axis_taps(const Tensor& coord, int64_t size, int mode, Padding padding, bool align_corners) {
  Taps taps;
  Tensor c = unnormalize(contiguous(coord), size, align_corners);
  if (mode == 2) {  // bicubic: padding applies to each tap's integer position
    c = safe_coordinate(c);
    Tensor x0 = floor(c), t = c - x0;
    const double a = -0.75;
    auto far = [&](const Tensor& x) { return ((x * a - 5 * a) * x + 8 * a) * x - 4 * a; };
    auto near = [&](const Tensor& x) { return ((x * (a + 2)) - (a + 3)) * x * x + 1; };
    const Tensor weights[4] = {far(t + 1), near(t), near(1 - t), far(2 - t)};
    for (int k = 0; k < 4; ++k)
      add_bounded(taps, trunc(apply_padding(x0 + static_cast<double>(k - 1), size, padding, align_corners)),
                  weights[k], size);
    return taps;
  }
  c = safe_coordinate(apply_padding(c, size, padding, align_corners));
  if (mode == 1) {  // nearest (half to even); the grid gets a zero gradient, as in PyTorch
    add_bounded(taps, round(c), c * 0.0 + 1.0, size);
    return taps;
  }
  Tensor x0 = floor(c), x1 = x0 + 1;
  add_bounded(taps, x0, x1 - c, size);
  add_bounded(taps, x1, c - x0, size);
  return taps;
}

// What the taps depend on besides the grid.
struct GridTapPlan {
  int64_t dims;
  int64_t sizes[3];  // the input's spatial sizes
  int interpolation;
  Padding padding;
  bool align_corners;
};

// Every point's taps from differentiable ops: (index, weight), each (N, P, taps).
std::pair<Tensor, Tensor> composed_taps(const Tensor& flat_grid, const GridTapPlan& plan) {
  // Axes from the last (x, grid[..., 0]) to the first; each multiplies in its
  // stride, and every tap so far pairs with each of the axis's taps.
  Taps all;
  int64_t stride = 1;
  for (int64_t d = plan.dims - 1; d >= 0; --d) {
    const int64_t size = plan.sizes[d];
    Taps axis = axis_taps(select(flat_grid, -1, plan.dims - 1 - d), size, plan.interpolation, plan.padding,
                          plan.align_corners);
    if (all.index.empty()) {
      all = axis;
    } else {
      Taps paired;
      for (size_t i = 0; i < axis.index.size(); ++i) {
        Tensor offset = mul(axis.index[i], Scalar(stride));
        for (size_t j = 0; j < all.index.size(); ++j) {
          paired.index.push_back(add(offset, all.index[j]));
          paired.weight.push_back(mul(axis.weight[i], all.weight[j]));
        }
      }
      all = paired;
    }
    stride *= size;
  }
  return {stack(all.index, -1), stack(all.weight, -1)};
}

GridTapArgs kernel_args(const Tensor& flat_grid, const GridTapPlan& plan) {
  GridTapArgs a{};
  a.dtype = flat_grid.dtype();
  a.batch = flat_grid.sizes()[0];
  a.points = flat_grid.sizes()[1];
  a.dims = plan.dims;
  const int64_t per_axis = plan.interpolation == 0 ? 2 : plan.interpolation == 1 ? 1 : 4;
  a.taps = 1;
  for (int64_t d = 0; d < plan.dims; ++d) {
    a.sizes[d] = plan.sizes[d];
    a.taps *= per_axis;
  }
  a.interpolation = plan.interpolation;
  a.padding = static_cast<int>(plan.padding);
  a.align_corners = plan.align_corners;
  a.grid = static_cast<const char*>(flat_grid.data_ptr());
  return a;
}

// The weights' gradient w.r.t. the grid: the fused kernel, or under create_graph the composed taps
// differentiated again (so that it is differentiable itself).
struct GridTapsBackward final : Node {
  SavedVariable grid;
  GridTapPlan plan;
  std::string name() const override { return "GridSampleTapsBackward0"; }
  void release_variables() override { grid.reset(); }
  TensorList apply(TensorList&& grads) override {
    Tensor g = grid.unpack(this);
    if (grad_enabled()) {
      Tensor weight = composed_taps(g, plan).second;
      return dg::grad({weight}, {g}, {grads[0]}, true, true, true);
    }
    Tensor flat = contiguous(g), grad_weight = contiguous(grads[0]);
    Tensor grad_grid = empty(flat.sizes(), TensorOptions(flat.dtype()).device(flat.device()));
    GridTapArgs a = kernel_args(flat, plan);
    a.backward = true;
    a.grad_weight = static_cast<const char*>(grad_weight.data_ptr());
    a.grad_grid = static_cast<char*>(grad_grid.data_ptr());
    if (grad_grid.numel() > 0) kernel_table(flat.device().type).grid_taps(a);
    return {grad_grid};
  }
};

// Every point's taps, (index, weight) each (N, P, taps): one kernel over the grid where there is one.
std::pair<Tensor, Tensor> grid_sample_taps(const Tensor& flat_grid, const GridTapPlan& plan) {
  const bool fused = (flat_grid.dtype() == kFloat32 || flat_grid.dtype() == kFloat64) &&
                     kernel_table(flat_grid.device().type).grid_taps != nullptr;
  if (!fused) return composed_taps(flat_grid, plan);
  Tensor flat = contiguous(flat_grid);
  GridTapArgs a = kernel_args(flat, plan);
  const TensorOptions options = TensorOptions(flat.dtype()).device(flat.device());
  Tensor index = empty({a.batch, a.points, a.taps}, options.dtype(kInt64)), weight = empty(index.sizes(), options);
  a.index = index.data_ptr<int64_t>();
  a.weight = static_cast<char*>(weight.data_ptr());
  if (index.numel() > 0) kernel_table(flat.device().type).grid_taps(a);
  if (any_requires_grad({&flat_grid})) {
    auto node = make_intrusive<GridTapsBackward>();
    node->grid = SavedVariable(flat_grid, false);
    node->plan = plan;
    record(weight, {&flat_grid}, node);
  }
  return {index, weight};
}

}  // namespace

Tensor grid_sample(const Tensor& input, const Tensor& grid, const std::string& mode, const std::string& padding_mode,
                   bool align_corners) {
  const int interp = mode == "bilinear" ? 0 : mode == "nearest" ? 1 : mode == "bicubic" ? 2 : -1;
  DG_CHECK(interp >= 0, ValueError, "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
           "'bicubic', but got: '", mode, "'");
  const Padding padding = padding_mode == "zeros" ? Padding::zeros : padding_mode == "border" ? Padding::border
                          : Padding::reflection;
  DG_CHECK(padding_mode == "zeros" || padding_mode == "border" || padding_mode == "reflection", ValueError,
           "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '",
           padding_mode, "'");
  const int64_t dims = input.dim() - 2;
  DG_CHECK((input.dim() == 4 || input.dim() == 5) && grid.dim() == input.dim(), Error, "grid_sampler(): expected 4D "
           "or 5D input and grid with same number of dimensions, but got input with sizes ", input.sizes(),
           " and grid with sizes ", grid.sizes());
  DG_CHECK(input.sizes()[0] == grid.sizes()[0], Error, "grid_sampler(): expected grid and input to have same batch "
           "size, but got input with sizes ", input.sizes(), " and grid with sizes ", grid.sizes());
  DG_CHECK(grid.sizes()[static_cast<size_t>(dims + 1)] == dims, Error, "grid_sampler(): expected grid to have size ",
           dims, " in last dimension, but got grid with sizes ", grid.sizes());
  for (int64_t d = 0; d < dims; ++d)
    DG_CHECK(input.sizes()[static_cast<size_t>(2 + d)] > 0, Error, "grid_sampler(): expected input to have non-empty "
             "spatial dimensions, but input has sizes ", input.sizes(), " with dimension ", 2 + d, " being empty");
  DG_CHECK(interp != 2 || dims == 2, Error, "grid_sampler(): bicubic interpolation only supports 4D input");
  DG_CHECK(input.dtype() == grid.dtype(), Error, "grid_sampler(): expected input and grid to have same dtype, but "
           "input has ", dtype_name(input.dtype()), " and grid has ", dtype_name(grid.dtype()));
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"grid_sampler\" not implemented for '",
           dtype_name(input.dtype()), "'");
  DG_CHECK(input.device() == grid.device(), Error, "grid_sampler(): expected input and grid to be on same device, but "
           "input is on ", input.device().str(), " and grid is on ", grid.device().str());

  const int64_t n = input.sizes()[0], channels = input.sizes()[1];
  Shape out_shape{n, channels};
  int64_t points = 1, sources = 1;
  for (int64_t d = 0; d < dims; ++d) {
    out_shape.push_back(grid.sizes()[static_cast<size_t>(1 + d)]);
    points *= grid.sizes()[static_cast<size_t>(1 + d)];
    sources *= input.sizes()[static_cast<size_t>(2 + d)];
  }
  GridTapPlan plan{dims, {1, 1, 1}, interp, padding, align_corners};
  for (int64_t d = 0; d < dims; ++d) plan.sizes[d] = input.sizes()[static_cast<size_t>(2 + d)];
  auto [index, weight] = grid_sample_taps(reshape(grid, {n, points, dims}), plan);
  Tensor out = tap_gather(reshape(input, {n, channels, sources}), index, weight);
  return reshape(out, out_shape);
}

}  // namespace dg
