// CPU kernels of the weighted tap gathers (dispatch.h's TapOp): grid
// sampling's forward, its input gradient (a scatter; each thread owns whole
// (batch, channel) planes, so no two threads add into the same element) and
// its weight gradient (a dot product over channels per tap).
#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"
#include "kernels/grid_taps.h"

namespace dg::cpu {

namespace {

// Gather and scatter run one (batch, channel) plane at a time: the plane
// stays in L1 while the tap lists stream by. The dot product instead takes
// blocks of points whose per-tap sums stay in L1 while every channel adds in.
constexpr int64_t kPointBlock = 128;

// Calls f(plane, index, weight) for each (batch, channel) plane, with that
// batch entry's tap lists, planes split over threads.
template <class T, class F>
void for_each_plane(const TapArgs& a, const F& f) {
  const int64_t per_plane = a.points * a.taps;
  const T* w = reinterpret_cast<const T*>(a.weight);
  parallel_for(0, a.batch * a.channels, kGrainSize / std::max<int64_t>(per_plane, 1), [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t n = plane / a.channels;
      f(plane, a.index + n * per_plane, w + n * per_plane);
    }
  });
}

template <class T>
void tap_gather(const TapArgs& a) {
  using A = opmath_t<T>;
  for_each_plane<T>(a, [&](int64_t plane, const int64_t* idx, const T* w) {
    const T* src = reinterpret_cast<const T*>(a.a) + plane * a.sources;
    T* dst = reinterpret_cast<T*>(a.out) + plane * a.points;
    for (int64_t p = 0; p < a.points; ++p) {
      A acc = A(0);
      for (int64_t t = 0; t < a.taps; ++t) acc += convert<A>(w[p * a.taps + t]) * convert<A>(src[idx[p * a.taps + t]]);
      dst[p] = convert<T>(acc);
    }
  });
}

template <class T>
void tap_scatter(const TapArgs& a) {
  using A = opmath_t<T>;
  for_each_plane<T>(a, [&](int64_t plane, const int64_t* idx, const T* w) {
    const T* g = reinterpret_cast<const T*>(a.a) + plane * a.points;
    A* dst = reinterpret_cast<A*>(a.out) + plane * a.sources;
    for (int64_t p = 0; p < a.points; ++p) {
      const A gv = convert<A>(g[p]);
      for (int64_t t = 0; t < a.taps; ++t) dst[idx[p * a.taps + t]] += convert<A>(w[p * a.taps + t]) * gv;
    }
  });
}

template <class T>
void tap_dot(const TapArgs& a) {
  using A = opmath_t<T>;
  const T* g = reinterpret_cast<const T*>(a.a);
  const T* x = reinterpret_cast<const T*>(a.b);
  T* out = reinterpret_cast<T*>(a.out);
  const int64_t blocks = (a.points + kPointBlock - 1) / kPointBlock;
  const int64_t block_cost = kPointBlock * a.taps * a.channels;
  parallel_for(0, a.batch * blocks, kGrainSize / std::max<int64_t>(block_cost, 1), [&](int64_t begin, int64_t end) {
    std::vector<A> acc(static_cast<size_t>(kPointBlock * a.taps));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t n = item / blocks, p0 = (item % blocks) * kPointBlock;
      const int64_t p1 = std::min(p0 + kPointBlock, a.points);
      const int64_t* idx = a.index + n * a.points * a.taps;
      std::fill(acc.begin(), acc.end(), A(0));
      for (int64_t c = 0; c < a.channels; ++c) {
        const int64_t plane = n * a.channels + c;
        const T* gp = g + plane * a.points;
        const T* src = x + plane * a.sources;
        for (int64_t p = p0; p < p1; ++p) {
          const A gv = convert<A>(gp[p]);
          A* slot = acc.data() + (p - p0) * a.taps;
          for (int64_t t = 0; t < a.taps; ++t) slot[t] += gv * convert<A>(src[idx[p * a.taps + t]]);
        }
      }
      T* dst = out + (n * a.points + p0) * a.taps;
      for (int64_t k = 0; k < (p1 - p0) * a.taps; ++k) dst[k] = convert<T>(acc[static_cast<size_t>(k)]);
    }
  });
}

void tap_kernel(const TapArgs& a) {
  DG_DISPATCH_FLOATING(a.dtype, "grid_sample", [&] {
    switch (a.op) {
      case TapOp::gather: return tap_gather<scalar_t>(a);
      case TapOp::scatter: return tap_scatter<scalar_t>(a);
      case TapOp::dot: return tap_dot<scalar_t>(a);
    }
  });
}

// Each point's taps (or grid gradient), points split over threads.
void grid_tap_kernel(const GridTapArgs& a) {
  const int64_t points = a.batch * a.points;
  auto run = [&](auto zero) {
    using T = decltype(zero);
    parallel_for(0, points, kGrainSize / 64, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) grid_taps::point<T>(a, i);
    });
  };
  if (a.dtype == kFloat32) return run(float());
  if (a.dtype == kFloat64) return run(double());
  DG_FAIL(TypeError, "grid_sample: the fused tap kernel takes float32 or float64, got ", dtype_name(a.dtype));
}

}  // namespace

void register_tap_kernels(KernelTable& t) {
  t.taps = &tap_kernel;
  t.grid_taps = &grid_tap_kernel;
}

}  // namespace dg::cpu
