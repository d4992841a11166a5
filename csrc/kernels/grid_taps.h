// The taps of one grid_sample point (dispatch.h's GridTapArgs), shared by the
// CPU loop and the CUDA kernel, with their derivative w.r.t. the grid. Per
// axis, PyTorch's formulas: the grid value unnormalized to pixel coordinates,
// the padding mode applied (clipped to the border, or reflected and clipped;
// bicubic pads each tap position instead), coordinates beyond int range read
// nothing, and then 2 bilinear taps, 1 nearest (half to even) or 4 bicubic
// (cubic convolution, A = -0.75). A tap outside the input gets weight 0.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/dispatch.h"

namespace dg::grid_taps {

template <class T>
struct AxisTaps {
  int count = 0;
  int64_t index[4];
  T weight[4], slope[4];  // slope: d weight / d grid value
};

// PyTorch's clip_coordinates_set_grad: into [0, size - 1], no gradient where clipped.
template <class T>
DG_HOST_DEVICE inline T clip(T c, int64_t size, T& grad) {
  if (c <= T(0)) {
    grad = T(0);
    return T(0);
  }
  const T high = static_cast<T>(size - 1);
  if (c >= high) {
    grad = T(0);
    return high;
  }
  return c;  // NaN passes through (and is caught as out of range later)
}

// reflect_coordinates_set_grad: folds c into [twice_low / 2, twice_high / 2].
template <class T>
DG_HOST_DEVICE inline T reflect(T c, int64_t twice_low, int64_t twice_high, T& grad) {
  if (twice_low == twice_high) {
    grad = T(0);
    return T(0);
  }
  const T low = static_cast<T>(twice_low) / 2, span = static_cast<T>(twice_high - twice_low) / 2;
  T in = c - low;
  if (in < T(0)) {
    grad = -grad;
    in = -in;
  }
  const T extra = std::fmod(in, span);
  const T flips = std::floor(in / span);
  if (std::fmod(flips, T(2)) == T(0)) return extra + low;
  grad = -grad;
  return span - extra + low;
}

template <class T>
DG_HOST_DEVICE inline T pad(T c, int64_t size, int padding, bool align_corners, T& grad) {
  if (padding == 0) return c;
  if (padding == 2) c = align_corners ? reflect(c, 0, 2 * (size - 1), grad) : reflect(c, -1, 2 * size - 1, grad);
  return clip(c, size, grad);
}

// safe_downgrade_to_int_range: non-finite or huge coordinates read nothing.
template <class T>
DG_HOST_DEVICE inline T in_int_range(T c, T& grad) {
  if (std::fabs(c) <= T(2147483646)) return c;
  grad = T(0);
  return T(-100);
}

template <class T>
DG_HOST_DEVICE inline void add_tap(AxisTaps<T>& taps, T position, T weight, T slope, int64_t size) {
  const bool inside = position >= T(0) && position <= static_cast<T>(size - 1);
  const int k = taps.count++;
  taps.index[k] = inside ? static_cast<int64_t>(position) : 0;
  taps.weight[k] = inside ? weight : T(0);
  taps.slope[k] = inside ? slope : T(0);
}

template <class T>
DG_HOST_DEVICE inline AxisTaps<T> axis_taps(T g, int64_t size, int interpolation, int padding, bool align_corners) {
  AxisTaps<T> taps;
  T grad = align_corners ? static_cast<T>(size - 1) / 2 : static_cast<T>(size) / 2;  // d coordinate / d grid
  T c = align_corners ? (g + 1) / 2 * static_cast<T>(size - 1) : ((g + 1) * static_cast<T>(size) - 1) / 2;
  if (interpolation == 2) {  // bicubic: each tap position is padded, the weights are not
    c = in_int_range(c, grad);
    const T x0 = std::floor(c), t = c - x0, a = T(-0.75);
    const T d[4] = {t + 1, t, 1 - t, 2 - t};  // distances to the taps
    for (int k = 0; k < 4; ++k) {
      const T x = d[k];
      const bool far = k == 0 || k == 3;
      const T w = far ? ((x * a - 5 * a) * x + 8 * a) * x - 4 * a : ((a + 2) * x - (a + 3)) * x * x + 1;
      const T dw_dx = far ? (3 * a * x - 10 * a) * x + 8 * a : (3 * (a + 2) * x - 2 * (a + 3)) * x;
      T unused = T(1);
      const T position = std::trunc(pad(x0 + static_cast<T>(k - 1), size, padding, align_corners, unused));
      add_tap(taps, position, w, (k < 2 ? dw_dx : -dw_dx) * grad, size);
    }
    return taps;
  }
  c = in_int_range(pad(c, size, padding, align_corners, grad), grad);
  if (interpolation == 1) {  // nearest: the grid gets no gradient
    add_tap(taps, std::nearbyint(c), T(1), T(0), size);
    return taps;
  }
  const T x0 = std::floor(c);
  add_tap(taps, x0, x0 + 1 - c, -grad, size);
  add_tap(taps, x0 + 1, c - x0, grad, size);
  return taps;
}

// Point i's taps (forward) or its grid gradient (backward).
template <class T>
DG_HOST_DEVICE inline void point(const GridTapArgs& a, int64_t i) {
  const T* g = reinterpret_cast<const T*>(a.grid) + i * a.dims;
  AxisTaps<T> axes[3];
  for (int64_t d = 0; d < a.dims; ++d)  // input axis d reads grid component dims - 1 - d
    axes[d] = axis_taps(g[a.dims - 1 - d], a.sizes[d], a.interpolation, a.padding, a.align_corners);
  if (!a.backward) {
    int64_t* index = a.index + i * a.taps;
    T* weight = reinterpret_cast<T*>(a.weight) + i * a.taps;
    for (int64_t t = 0; t < a.taps; ++t) {
      int64_t rest = t, offset = 0, stride = 1;
      T w = T(1);
      for (int64_t d = a.dims - 1; d >= 0; --d) {  // the last axis's taps vary fastest
        const int k = static_cast<int>(rest % axes[d].count);
        rest /= axes[d].count;
        offset += axes[d].index[k] * stride;
        w *= axes[d].weight[k];
        stride *= a.sizes[d];
      }
      index[t] = offset;
      weight[t] = w;
    }
    return;
  }
  const T* grad_weight = reinterpret_cast<const T*>(a.grad_weight) + i * a.taps;
  T* grad_grid = reinterpret_cast<T*>(a.grad_grid) + i * a.dims;
  for (int64_t e = 0; e < a.dims; ++e) {  // d weight / d (grid value of axis e)
    T sum = T(0);
    for (int64_t t = 0; t < a.taps; ++t) {
      int64_t rest = t;
      T term = grad_weight[t];
      for (int64_t d = a.dims - 1; d >= 0; --d) {
        const int k = static_cast<int>(rest % axes[d].count);
        rest /= axes[d].count;
        term *= d == e ? axes[d].slope[k] : axes[d].weight[k];
      }
      sum += term;
    }
    grad_grid[a.dims - 1 - e] = sum;
  }
}

}  // namespace dg::grid_taps
