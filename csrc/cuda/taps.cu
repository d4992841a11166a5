// CUDA kernels of the weighted tap gathers (dispatch.h's TapOp), one thread
// per output element: gather per (batch, channel, point), scatter per
// (batch, channel, point) with atomic adds into the opmath-typed gradient,
// dot per (batch, point, tap) summing over channels. Same arithmetic as the
// CPU kernels (cpu/tap_kernels.cpp).
#include "core/dispatch.h"
#include "cuda/atomic.cuh"
#include "cuda/launch.h"
#include "kernels/convert.h"
#include "kernels/grid_taps.h"

namespace dg::cuda {

namespace {

// For output element i of (batch, channels, points): its plane and the offset of its taps.
__device__ void plane_and_taps(const TapArgs& a, int64_t i, int64_t& plane, int64_t& first) {
  const int64_t p = i % a.points;
  plane = i / a.points;
  first = ((plane / a.channels) * a.points + p) * a.taps;
}

template <class T>
__global__ void tap_gather_kernel(TapArgs a, int64_t total) {
  using A = opmath_t<T>;
  const T* w = reinterpret_cast<const T*>(a.weight);
  const T* x = reinterpret_cast<const T*>(a.a);
  DG_GRID_STRIDE_LOOP(i, total) {
    int64_t plane, first;
    plane_and_taps(a, i, plane, first);
    A acc = A(0);
    for (int64_t t = 0; t < a.taps; ++t)
      acc += convert<A>(w[first + t]) * convert<A>(x[plane * a.sources + a.index[first + t]]);
    reinterpret_cast<T*>(a.out)[i] = convert<T>(acc);
  }
}

template <class T>
__global__ void tap_scatter_kernel(TapArgs a, int64_t total) {
  using A = opmath_t<T>;
  const T* w = reinterpret_cast<const T*>(a.weight);
  const T* g = reinterpret_cast<const T*>(a.a);
  A* out = reinterpret_cast<A*>(a.out);
  DG_GRID_STRIDE_LOOP(i, total) {
    int64_t plane, first;
    plane_and_taps(a, i, plane, first);
    const A gv = convert<A>(g[i]);
    for (int64_t t = 0; t < a.taps; ++t)
      atomic_add(out + plane * a.sources + a.index[first + t], convert<A>(w[first + t]) * gv);
  }
}

template <class T>
__global__ void tap_dot_kernel(TapArgs a, int64_t total) {
  using A = opmath_t<T>;
  const T* g = reinterpret_cast<const T*>(a.a);
  const T* x = reinterpret_cast<const T*>(a.b);
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t np = i / a.taps, n = np / a.points, p = np % a.points;
    const int64_t source = a.index[i];
    A acc = A(0);
    for (int64_t c = 0; c < a.channels; ++c) {
      const int64_t plane = n * a.channels + c;
      acc += convert<A>(g[plane * a.points + p]) * convert<A>(x[plane * a.sources + source]);
    }
    reinterpret_cast<T*>(a.out)[i] = convert<T>(acc);
  }
}

void taps(const TapArgs& a) {
  const int64_t total = a.op == TapOp::dot ? a.batch * a.points * a.taps : a.batch * a.channels * a.points;
  if (total == 0) return;
  cudaStream_t stream = stream_for(current_device_index());
  DG_DISPATCH_FLOATING(a.dtype, "grid_sample", [&] {
    using T = scalar_t;
    switch (a.op) {
      case TapOp::gather: tap_gather_kernel<T><<<grid_for(total), 256, 0, stream>>>(a, total); break;
      case TapOp::scatter: tap_scatter_kernel<T><<<grid_for(total), 256, 0, stream>>>(a, total); break;
      case TapOp::dot: tap_dot_kernel<T><<<grid_for(total), 256, 0, stream>>>(a, total); break;
    }
  });
  check_last_launch("tap kernel");
}

template <class T>
__global__ void grid_tap_kernel(GridTapArgs a, int64_t total) {
  DG_GRID_STRIDE_LOOP(i, total) grid_taps::point<T>(a, i);
}

void grid_taps_launch(const GridTapArgs& a) {
  const int64_t total = a.batch * a.points;
  if (total == 0) return;
  cudaStream_t stream = stream_for(current_device_index());
  if (a.dtype == kFloat32) grid_tap_kernel<float><<<grid_for(total), 256, 0, stream>>>(a, total);
  else if (a.dtype == kFloat64) grid_tap_kernel<double><<<grid_for(total), 256, 0, stream>>>(a, total);
  else DG_FAIL(TypeError, "grid_sample: the fused tap kernel takes float32 or float64, got ", dtype_name(a.dtype));
  check_last_launch("grid tap kernel");
}

}  // namespace

void register_tap_kernels(KernelTable& t) {
  t.taps = &taps;
  t.grid_taps = &grid_taps_launch;
}

}  // namespace dg::cuda
