// CUDA kernels of the separable resampling (interpolate, adaptive average
// pooling): one thread per output element sums its taps over the three axes
// from the tables the op built (the same tables the CPU kernel reads, so the
// two agree tap for tap). The backward scatters each output gradient back
// through the same taps with atomic adds into an opmath-typed buffer.
#include "core/dispatch.h"
#include "cuda/atomic.cuh"
#include "cuda/launch.h"
#include "kernels/resample.h"

namespace dg::cuda {

namespace {

__device__ int64_t tap_source(const ResampleArgs& a, int d, int64_t o, int64_t k) {
  return a.index[d] ? a.index[d][o * a.taps[d] + k] : o;
}
template <class W>
__device__ W tap_weight(const ResampleArgs& a, int d, int64_t o, int64_t k) {
  return a.weight[d] ? static_cast<const W*>(a.weight[d])[o * a.taps[d] + k] : W(1);
}

// Splits a flat output index into (plane, o0, o1, o2).
__device__ void output_coords(const ResampleArgs& a, int64_t i, int64_t& p, int64_t o[3]) {
  o[2] = i % a.out[2];
  i /= a.out[2];
  o[1] = i % a.out[1];
  i /= a.out[1];
  o[0] = i % a.out[0];
  p = i / a.out[0];
}

// Calls f(input offset within the plane, weight) for every tap of output o with a nonzero weight.
template <class W, class F>
__device__ void for_each_tap(const ResampleArgs& a, const int64_t o[3], const F& f) {
  for (int64_t k0 = 0; k0 < a.taps[0]; ++k0) {
    const W w0 = tap_weight<W>(a, 0, o[0], k0);
    if (w0 == W(0)) continue;
    const int64_t i0 = tap_source(a, 0, o[0], k0);
    for (int64_t k1 = 0; k1 < a.taps[1]; ++k1) {
      const W w01 = w0 * tap_weight<W>(a, 1, o[1], k1);
      if (w01 == W(0)) continue;
      const int64_t row = (i0 * a.in[1] + tap_source(a, 1, o[1], k1)) * a.in[2];
      for (int64_t k2 = 0; k2 < a.taps[2]; ++k2) {
        const W w = w01 * tap_weight<W>(a, 2, o[2], k2);
        if (w != W(0)) f(row + tap_source(a, 2, o[2], k2), w);
      }
    }
  }
}

template <class T>
__global__ void resample_kernel(int64_t total, ResampleArgs a, const T* in, T* out) {
  using A = opmath_t<T>;
  using W = resample_weight_t<T>;
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2];
  DG_GRID_STRIDE_LOOP(i, total) {
    int64_t p, o[3];
    output_coords(a, i, p, o);
    const T* plane = in + p * in_plane;
    A acc = A(0);
    for_each_tap<W>(a, o, [&](int64_t offset, W w) { acc = acc + scaled_by(convert<A>(plane[offset]), w); });
    out[i] = convert<T>(acc);
  }
}

// Nearest modes (one tap of weight 1 per axis): an exact gather for any dtype.
template <class T>
__global__ void resample_nearest_kernel(int64_t total, ResampleArgs a, const T* in, T* out) {
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2];
  DG_GRID_STRIDE_LOOP(i, total) {
    int64_t p, o[3];
    output_coords(a, i, p, o);
    const int64_t src = (tap_source(a, 0, o[0], 0) * a.in[1] + tap_source(a, 1, o[1], 0)) * a.in[2] +
                        tap_source(a, 2, o[2], 0);
    out[i] = in[p * in_plane + src];
  }
}

template <class T>
__global__ void resample_backward_kernel(int64_t total, ResampleArgs a, const T* grad, opmath_t<T>* grad_in) {
  using A = opmath_t<T>;
  using W = resample_weight_t<T>;
  const int64_t in_plane = a.in[0] * a.in[1] * a.in[2];
  DG_GRID_STRIDE_LOOP(i, total) {
    int64_t p, o[3];
    output_coords(a, i, p, o);
    const A g = convert<A>(grad[i]);
    A* plane = grad_in + p * in_plane;
    for_each_tap<W>(a, o, [&](int64_t offset, W w) { atomic_add(plane + offset, scaled_by(g, w)); });
  }
}

template <class T>
constexpr bool is_weighted_type() {
  return std::is_floating_point<T>::value || is_reduced_float<T>::value || is_complex_t<T>::value;
}

int64_t output_count(const ResampleArgs& a) { return a.planes * a.out[0] * a.out[1] * a.out[2]; }

void resample(const ResampleArgs& a, const char* input, char* output) {
  const int64_t total = output_count(a);
  if (total == 0) return;
  const bool nearest = a.taps[0] == 1 && a.taps[1] == 1 && a.taps[2] == 1;  // weight 1 in every mode
  DG_DISPATCH_ALL(a.dtype, "resample", [&] {
    using T = scalar_t;
    const T* in = reinterpret_cast<const T*>(input);
    T* out = reinterpret_cast<T*>(output);
    cudaStream_t stream = stream_for(current_device_index());
    if constexpr (is_weighted_type<T>()) {
      if (!nearest) {
        resample_kernel<T><<<grid_for(total), 256, 0, stream>>>(total, a, in, out);
        return;
      }
    } else {
      DG_CHECK(nearest, TypeError, "resample: weighted modes need floating-point or complex data");
    }
    resample_nearest_kernel<T><<<grid_for(total), 256, 0, stream>>>(total, a, in, out);
  });
  check_last_launch("resample kernel");
}

void resample_backward(const ResampleArgs& a, const char* grad_output, char* grad_input) {
  const int64_t total = output_count(a);
  if (total == 0) return;
  DG_DISPATCH_ALL(a.dtype, "resample_backward", [&] {
    using T = scalar_t;
    if constexpr (is_weighted_type<T>()) {
      resample_backward_kernel<T><<<grid_for(total), 256, 0, stream_for(current_device_index())>>>(
          total, a, reinterpret_cast<const T*>(grad_output), reinterpret_cast<opmath_t<T>*>(grad_input));
    } else {
      DG_FAIL(TypeError, "resample_backward: only floating-point and complex data have gradients");
    }
  });
  check_last_launch("resample_backward kernel");
}

}  // namespace

void register_resample_kernels(KernelTable& t) {
  t.resample = &resample;
  t.resample_backward = &resample_backward;
}

}  // namespace dg::cuda
