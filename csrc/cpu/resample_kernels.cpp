// CPU kernels of the separable resampling (interpolate, adaptive average
// pooling). Work goes row by row along the last axis: the taps of the two
// outer axes first mix whole input rows into one buffer row (contiguous,
// vectorizable), then the last axis's taps gather from that buffer. So each
// input row is read once per tap that uses it and nothing else is
// materialized. The backward runs the same steps transposed, one plane per
// thread, so no two threads add into the same element.
#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/resample.h"

namespace dg::cpu {

namespace {

// The taps of one axis, with the identity for an axis without a table.
template <class W>
struct Axis {
  int64_t taps;
  const int64_t* index;
  const W* weight;
  int64_t source(int64_t o, int64_t k) const { return index ? index[o * taps + k] : o; }
  W weight_of(int64_t o, int64_t k) const { return weight ? weight[o * taps + k] : W(1); }
};

template <class W>
Axis<W> axis_of(const ResampleArgs& a, int d) {
  return {a.taps[d], a.index[d], static_cast<const W*>(a.weight[d])};
}

// Calls f(input_row_offset, weight) for each pair of outer taps of output row (o0, o1).
template <class W, class F>
void for_each_outer_tap(const ResampleArgs& a, const Axis<W>& x0, const Axis<W>& x1, int64_t o0, int64_t o1,
                        const F& f) {
  for (int64_t k0 = 0; k0 < x0.taps; ++k0) {
    const W w0 = x0.weight_of(o0, k0);
    if (w0 == W(0)) continue;
    const int64_t i0 = x0.source(o0, k0);
    for (int64_t k1 = 0; k1 < x1.taps; ++k1) {
      const W w1 = x1.weight_of(o1, k1);
      if (w1 == W(0)) continue;
      f((i0 * a.in[1] + x1.source(o1, k1)) * a.in[2], w0 * w1);
    }
  }
}

// out[x] = sum_k w[x][k] * row[i[x][k]] for the last axis, K taps known at compile time when K > 0.
template <int K, class A, class T, class W>
void gather_row(const Axis<W>& last, int64_t n, const A* row, T* out) {
  const int64_t taps = K > 0 ? K : last.taps;
  for (int64_t x = 0; x < n; ++x) {
    const int64_t* i = last.index + x * taps;
    const W* w = last.weight + x * taps;
    A acc = A(0);
    for (int64_t k = 0; k < taps; ++k) acc = acc + scaled_by(row[i[k]], w[k]);
    out[x] = convert<T>(acc);
  }
}

template <class T>
void resample_weighted(const ResampleArgs& a, const T* in, T* out) {
  using A = opmath_t<T>;
  using W = resample_weight_t<T>;
  const Axis<W> x0 = axis_of<W>(a, 0), x1 = axis_of<W>(a, 1), last = axis_of<W>(a, 2);
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2], row_in = a.in[2], row_out = a.out[2];
  const int64_t rows_per_plane = a.out[0] * a.out[1], rows = a.planes * rows_per_plane;
  const int64_t row_cost = row_out * last.taps + row_in * x0.taps * x1.taps;
  parallel_for(0, rows, kGrainSize / std::max<int64_t>(row_cost, 1), [&](int64_t begin, int64_t end) {
    std::vector<A> mixed(static_cast<size_t>(row_in));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t p = r / rows_per_plane, q = r % rows_per_plane;
      const T* plane = in + p * in_plane;
      std::fill(mixed.begin(), mixed.end(), A(0));
      A* m = mixed.data();
      for_each_outer_tap(a, x0, x1, q / a.out[1], q % a.out[1], [&](int64_t offset, W w) {
        const T* src = plane + offset;
        for (int64_t x = 0; x < row_in; ++x) m[x] = m[x] + scaled_by(convert<A>(src[x]), w);
      });
      T* dst = out + r * row_out;
      switch (last.taps) {
        case 1: gather_row<1>(last, row_out, m, dst); break;
        case 2: gather_row<2>(last, row_out, m, dst); break;
        case 4: gather_row<4>(last, row_out, m, dst); break;
        default: gather_row<0>(last, row_out, m, dst); break;
      }
    }
  });
}

// Nearest modes: one tap of weight 1 per axis, so a plain gather (any dtype, exact).
template <class T>
void resample_nearest(const ResampleArgs& a, const T* in, T* out) {
  const Axis<float> x0 = axis_of<float>(a, 0), x1 = axis_of<float>(a, 1), last = axis_of<float>(a, 2);
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2], row_out = a.out[2];
  const int64_t rows_per_plane = a.out[0] * a.out[1], rows = a.planes * rows_per_plane;
  parallel_for(0, rows, kGrainSize / std::max<int64_t>(row_out, 1), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t q = r % rows_per_plane;
      const int64_t o0 = q / a.out[1], o1 = q % a.out[1];
      const T* src = in + (r / rows_per_plane) * in_plane + (x0.source(o0, 0) * a.in[1] + x1.source(o1, 0)) * a.in[2];
      T* dst = out + r * row_out;
      for (int64_t x = 0; x < row_out; ++x) dst[x] = src[last.source(x, 0)];
    }
  });
}

template <class T>
constexpr bool is_weighted_type() {
  return std::is_floating_point<T>::value || is_reduced_float<T>::value || is_complex_t<T>::value;
}

void resample_kernel(const ResampleArgs& a, const char* input, char* output) {
  // One tap per axis means weight 1 in every mode (nearest, or an area window of one).
  const bool nearest = a.taps[0] == 1 && a.taps[1] == 1 && a.taps[2] == 1;
  DG_DISPATCH_ALL(a.dtype, "resample", [&] {
    using T = scalar_t;
    const T* in = reinterpret_cast<const T*>(input);
    T* out = reinterpret_cast<T*>(output);
    if constexpr (is_weighted_type<T>()) {
      if (!nearest) return resample_weighted(a, in, out);
    } else {
      DG_CHECK(nearest, TypeError, "resample: weighted modes need floating-point or complex data");
    }
    resample_nearest(a, in, out);
  });
}

template <class T>
void resample_adjoint(const ResampleArgs& a, const T* grad, opmath_t<T>* grad_in) {
  using A = opmath_t<T>;
  using W = resample_weight_t<T>;
  const Axis<W> x0 = axis_of<W>(a, 0), x1 = axis_of<W>(a, 1), last = axis_of<W>(a, 2);
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2], row_in = a.in[2], row_out = a.out[2];
  const int64_t rows_per_plane = a.out[0] * a.out[1];
  const int64_t plane_cost = rows_per_plane * (row_out * last.taps + row_in * x0.taps * x1.taps);
  parallel_for(0, a.planes, kGrainSize / std::max<int64_t>(plane_cost, 1), [&](int64_t begin, int64_t end) {
    std::vector<A> mixed(static_cast<size_t>(row_in));
    A* m = mixed.data();
    for (int64_t p = begin; p < end; ++p) {
      A* plane = grad_in + p * in_plane;
      for (int64_t q = 0; q < rows_per_plane; ++q) {
        const T* g = grad + (p * rows_per_plane + q) * row_out;
        std::fill(mixed.begin(), mixed.end(), A(0));
        for (int64_t x = 0; x < row_out; ++x) {
          const A gx = convert<A>(g[x]);
          for (int64_t k = 0; k < last.taps; ++k) {
            const int64_t i = last.source(x, k);
            m[i] = m[i] + scaled_by(gx, last.weight_of(x, k));
          }
        }
        for_each_outer_tap(a, x0, x1, q / a.out[1], q % a.out[1], [&](int64_t offset, W w) {
          A* dst = plane + offset;
          for (int64_t x = 0; x < row_in; ++x) dst[x] = dst[x] + scaled_by(m[x], w);
        });
      }
    }
  });
}

void resample_backward_kernel(const ResampleArgs& a, const char* grad_output, char* grad_input) {
  DG_DISPATCH_ALL(a.dtype, "resample_backward", [&] {
    using T = scalar_t;
    if constexpr (is_weighted_type<T>()) {
      resample_adjoint(a, reinterpret_cast<const T*>(grad_output), reinterpret_cast<opmath_t<T>*>(grad_input));
    } else {
      DG_FAIL(TypeError, "resample_backward: only floating-point and complex data have gradients");
    }
  });
}

}  // namespace

void register_resample_kernels(KernelTable& t) {
  t.resample = &resample_kernel;
  t.resample_backward = &resample_backward_kernel;
}

}  // namespace dg::cpu
