// The source taps of one resampled axis: for each output position, which
// input positions it reads and with what weights. Each mode reproduces
// PyTorch's index and weight formulas (UpSample.h, UpSampleKernel.cpp,
// AdaptiveAveragePooling.cpp) in the same float type, so that results agree
// to the rounding PyTorch itself has. Host code: the op builds the tables
// once per call and hands them to the CPU or CUDA kernel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace dg {

enum class ResampleMode {
  nearest, nearest_exact, linear, cubic, area, linear_antialias, cubic_antialias, lanczos_antialias
};

template <class W>
struct AxisTaps {
  int64_t taps = 1;
  std::vector<int64_t> index;  // (out, taps)
  std::vector<W> weight;       // (out, taps); unused taps have weight 0 and a valid index
};

namespace resample_detail {

// area_pixel_compute_scale: the input distance between output positions.
// A user's scale factor (> 0) wins over the size ratio unless align_corners.
template <class W>
W axis_scale(int64_t in, int64_t out, bool align_corners, double scale_factor) {
  if (align_corners) return out > 1 ? static_cast<W>(in - 1) / static_cast<W>(out - 1) : W(0);
  if (scale_factor > 0) return static_cast<W>(1.0 / scale_factor);
  return static_cast<W>(in) / static_cast<W>(out);
}

// area_pixel_compute_source_index: the continuous input coordinate of an output position.
template <class W>
W source_coordinate(W scale, int64_t dst, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<W>(dst);
  const W src = scale * (static_cast<W>(dst) + W(0.5)) - W(0.5);
  return (!cubic && src < 0) ? W(0) : src;
}

// A float as an integer in [lo, hi]: NaN and out-of-range values (from absurd
// scale factors given through the C++ API) clamp instead of overflowing the cast.
inline int64_t clamped_index(double v, int64_t lo, int64_t hi) {
  if (!(v >= static_cast<double>(lo))) return lo;
  if (!(v <= static_cast<double>(hi))) return hi;
  return static_cast<int64_t>(v);
}

// guard_index_and_lambda: the tap left of a coordinate (at most the last) and the fraction past it.
template <class W>
int64_t left_tap(W coordinate, int64_t in, W& fraction) {
  const int64_t index = clamped_index(std::floor(coordinate), -2, in - 1);
  fraction = std::min(std::max(coordinate - static_cast<W>(index), W(0)), W(1));
  return index;
}

// Keys' cubic convolution kernel with parameter a (-0.75 for bicubic, -0.5 with antialias).
template <class W>
W cubic_kernel(W x, W a) {
  x = x < 0 ? -x : x;
  if (x <= W(1)) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < W(2)) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return W(0);
}

template <class W>
W triangle_kernel(W x) {
  x = x < 0 ? -x : x;
  return x < W(1) ? W(1) - x : W(0);
}

// Lanczos-3: sinc(x) * sinc(x / 3) on (-3, 3), as PIL's filter.
template <class W>
W lanczos_kernel(W x) {
  auto sinc = [](double v) { return v == 0 ? 1.0 : std::sin(v * M_PI) / (v * M_PI); };
  return (x >= W(-3) && x < W(3)) ? static_cast<W>(sinc(x) * sinc(x / 3.0)) : W(0);
}

// nearest_idx / nearest_exact_idx: always float32 arithmetic, as PyTorch's.
inline int64_t nearest_source(int64_t dst, int64_t in, int64_t out, double scale_factor, bool exact) {
  if (!exact && out == in) return dst;
  if (!exact && out == 2 * in) return dst >> 1;
  const float scale = scale_factor > 0 ? static_cast<float>(1.0 / scale_factor)
                                       : static_cast<float>(in) / static_cast<float>(out);
  const float src = exact ? static_cast<float>((static_cast<double>(dst) + 0.5) * scale)
                          : static_cast<float>(dst) * scale;
  return clamped_index(std::floor(src), 0, in - 1);
}

}  // namespace resample_detail

// The taps of an axis of `in` positions resampled to `out` (both > 0).
// scale_factor <= 0 means none was given.
template <class W>
AxisTaps<W> axis_taps(ResampleMode mode, int64_t in, int64_t out, bool align_corners, double scale_factor) {
  using namespace resample_detail;
  AxisTaps<W> t;
  auto allocate = [&](int64_t taps) {
    t.taps = taps;
    t.index.assign(static_cast<size_t>(out * taps), 0);
    t.weight.assign(static_cast<size_t>(out * taps), W(0));
  };
  auto set = [&](int64_t o, int64_t k, int64_t index, W weight) {
    t.index[static_cast<size_t>(o * t.taps + k)] = index;
    t.weight[static_cast<size_t>(o * t.taps + k)] = weight;
  };
  switch (mode) {
    case ResampleMode::nearest:
    case ResampleMode::nearest_exact:
      allocate(1);
      for (int64_t o = 0; o < out; ++o)
        set(o, 0, nearest_source(o, in, out, scale_factor, mode == ResampleMode::nearest_exact), W(1));
      break;
    case ResampleMode::linear: {
      allocate(2);
      const W scale = axis_scale<W>(in, out, align_corners, scale_factor);
      for (int64_t o = 0; o < out; ++o) {
        W lambda;
        const int64_t i = left_tap(source_coordinate(scale, o, align_corners, false), in, lambda);
        set(o, 0, i, W(1) - lambda);
        set(o, 1, i < in - 1 ? i + 1 : i, lambda);
      }
      break;
    }
    case ResampleMode::cubic: {
      allocate(4);
      const W scale = axis_scale<W>(in, out, align_corners, scale_factor);
      const W a = W(-0.75);
      for (int64_t o = 0; o < out; ++o) {
        W t_frac;
        const int64_t i = left_tap(source_coordinate(scale, o, align_corners, true), in, t_frac);
        const W weights[4] = {cubic_kernel(t_frac + 1, a), cubic_kernel(t_frac, a), cubic_kernel(1 - t_frac, a),
                              cubic_kernel(2 - t_frac, a)};
        for (int64_t k = 0; k < 4; ++k) set(o, k, std::min(std::max(i - 1 + k, int64_t(0)), in - 1), weights[k]);
      }
      break;
    }
    case ResampleMode::area: {
      // Adaptive average pooling: window [floor(o * in / out), ceil((o + 1) * in / out)).
      auto start = [&](int64_t o) { return static_cast<int64_t>(static_cast<__int128>(o) * in / out); };
      auto end = [&](int64_t o) { return static_cast<int64_t>((static_cast<__int128>(o + 1) * in + out - 1) / out); };
      int64_t widest = 1;
      for (int64_t o = 0; o < out; ++o) widest = std::max(widest, end(o) - start(o));
      allocate(widest);
      for (int64_t o = 0; o < out; ++o) {
        const int64_t s = start(o), n = end(o) - s;
        for (int64_t k = 0; k < widest; ++k) set(o, k, k < n ? s + k : s, k < n ? W(1) / static_cast<W>(n) : W(0));
      }
      break;
    }
    case ResampleMode::linear_antialias:
    case ResampleMode::cubic_antialias:
    case ResampleMode::lanczos_antialias: {
      // _compute_indices_min_size_weights_aa: the filter stretched by the
      // downscale factor, weights normalized to sum to one.
      const double interp_size = mode == ResampleMode::linear_antialias ? 2 : mode == ResampleMode::cubic_antialias ? 4 : 6;
      auto filter = [mode](W x) {
        if (mode == ResampleMode::linear_antialias) return triangle_kernel(x);
        if (mode == ResampleMode::cubic_antialias) return cubic_kernel(x, W(-0.5));
        return lanczos_kernel(x);
      };
      const W scale = axis_scale<W>(in, out, align_corners, scale_factor);
      const W support = scale >= W(1) ? static_cast<W>(interp_size * 0.5 * scale) : static_cast<W>(interp_size * 0.5);
      // PyTorch's ceil(support) * 2 + 1 taps, but never more than the input has (the rest weigh 0).
      const int64_t widest = std::min(clamped_index(std::ceil(support), 0, in) * 2 + 1, in + 1);
      allocate(widest);
      const W invscale = scale >= W(1) ? static_cast<W>(1.0 / scale) : W(1);
      std::vector<W> w(static_cast<size_t>(widest));
      for (int64_t o = 0; o < out; ++o) {
        const W center = static_cast<W>(scale * (o + 0.5));
        const int64_t xmin = clamped_index(center - support + 0.5, 0, in);
        const int64_t xsize = std::clamp(clamped_index(center + support + 0.5, 0, in) - xmin,
                                         int64_t(0), widest);
        W total = 0;
        for (int64_t j = 0; j < xsize; ++j) {
          const W x = static_cast<W>((static_cast<W>(j + xmin) - center + 0.5) * invscale);
          w[static_cast<size_t>(j)] = filter(x);
          total += w[static_cast<size_t>(j)];
        }
        for (int64_t k = 0; k < widest; ++k) {
          const W weight = k < xsize ? (total != 0 ? w[static_cast<size_t>(k)] / total : w[static_cast<size_t>(k)]) : W(0);
          set(o, k, k < xsize ? xmin + k : std::min(xmin, in - 1), weight);
        }
      }
      break;
    }
  }
  return t;
}

// The taps of average pooling along one axis (PyTorch's avg_pool geometry):
// window o covers [o * stride - padding, + kernel) clipped to the input, and
// weighs each input by 1 / its divisor along this axis: the window's extent
// within the padded input (count_include_pad), or its valid count. The 2-D
// and 3-D divisors are products of these, so pooling is separable too.
template <class W>
AxisTaps<W> window_taps(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                        bool count_include_pad, bool unit_weights) {
  AxisTaps<W> t;
  t.taps = kernel;
  t.index.assign(static_cast<size_t>(out * kernel), 0);
  t.weight.assign(static_cast<size_t>(out * kernel), W(0));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - padding, end = std::min(start + kernel, in + padding);
    const int64_t first = std::max(start, int64_t(0)), last = std::min(end, in);
    const int64_t divisor = count_include_pad ? end - start : last - first;
    for (int64_t k = 0; k < kernel; ++k) {
      const int64_t i = start + k;
      const bool inside = i >= first && i < last;
      t.index[static_cast<size_t>(o * kernel + k)] = inside ? i : std::min(std::max(first, int64_t(0)), in - 1);
      t.weight[static_cast<size_t>(o * kernel + k)] =
          inside ? (unit_weights ? W(1) : W(1) / static_cast<W>(divisor)) : W(0);
    }
  }
  return t;
}

}  // namespace dg
