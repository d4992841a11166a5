// CUDA kernels of the nn ops: fused softmax/log_softmax, layer norm rows,
// batch-norm channel moments (one block per row or channel, block
// reductions), im2col/col2im and max pooling (one thread per output
// element). Each follows its CPU kernel's arithmetic: same opmath types,
// same exp, same order of the sums that decide rounding where it can.
#include <cmath>
#include <limits>

#include "core/dispatch.h"
#include "cuda/block_reduce.cuh"
#include "cuda/launch.h"
#include "cuda/loop.cuh"
#include "kernels/adaptive_window.h"
#include "kernels/fast_exp.h"

namespace dg::cuda {

namespace {

constexpr int kRowThreads = 256;

unsigned rows_grid(int64_t rows) { return static_cast<unsigned>(std::min<int64_t>(rows, 65535 * 16)); }

template <class M>
__device__ M sum_of(M a, M b) {
  return a + b;
}
template <class M>
__device__ M max_of(M a, M b) {
  return b > a ? b : a;  // NaN never wins (it still poisons the sum)
}

template <class M>
__device__ M exp_of(M x) {
  if constexpr (std::is_same<M, float>::value) return math::exp_flush(x);
  else return exp(x);
}

template <class T>
__global__ void softmax_kernel(int64_t rows, int64_t n, const T* src, T* dst, bool log) {
  using M = opmath_t<T>;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = src + r * n;
    T* y = dst + r * n;
    M m = -std::numeric_limits<M>::infinity();
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) m = max_of(m, static_cast<M>(x[k]));
    m = block_reduce(m, [](M a, M b) { return max_of(a, b); });
    if (isinf(m)) m = m > 0 ? m : M(0);  // all -inf: no shift (NaN like PyTorch's 0/0)
    M sum = 0;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) sum += exp_of(static_cast<M>(x[k]) - m);
    sum = block_reduce(sum, [](M a, M b) { return sum_of(a, b); });
    if (log) {
      const M shift = m + std::log(sum);
      for (int64_t k = threadIdx.x; k < n; k += blockDim.x) y[k] = static_cast<T>(static_cast<M>(x[k]) - shift);
    } else {
      const M inv = M(1) / sum;
      for (int64_t k = threadIdx.x; k < n; k += blockDim.x) y[k] = static_cast<T>(exp_of(static_cast<M>(x[k]) - m) * inv);
    }
  }
}

// The middle dim of (outer, n, inner) with inner > 1: a thread per (outer,
// inner) position walks its n values; neighbouring threads read neighbouring
// addresses.
template <class T>
__global__ void softmax_columns_kernel(int64_t outer, int64_t n, int64_t inner, const T* src, T* dst, bool log) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(p, outer * inner) {
    const int64_t o = p / inner, j = p % inner;
    const T* x = src + o * n * inner + j;
    T* y = dst + o * n * inner + j;
    M m = -std::numeric_limits<M>::infinity();
    for (int64_t k = 0; k < n; ++k) m = max_of(m, static_cast<M>(x[k * inner]));
    if (isinf(m)) m = m > 0 ? m : M(0);
    M sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += exp_of(static_cast<M>(x[k * inner]) - m);
    if (log) {
      const M shift = m + std::log(sum);
      for (int64_t k = 0; k < n; ++k) y[k * inner] = static_cast<T>(static_cast<M>(x[k * inner]) - shift);
    } else {
      const M inv = M(1) / sum;
      for (int64_t k = 0; k < n; ++k) y[k * inner] = static_cast<T>(exp_of(static_cast<M>(x[k * inner]) - m) * inv);
    }
  }
}

void softmax(const Tensor& in, Tensor& out, bool log) {
  const int64_t rows = in.sizes()[0], n = in.sizes()[1], inner = in.sizes()[2];
  if (rows == 0 || n == 0 || inner == 0) return;
  DeviceGuard guard(in.device().index);
  DG_DISPATCH_FLOATING(in.dtype(), "softmax", [&] {
    using T = scalar_t;
    const T* src = reinterpret_cast<const T*>(in.data_ptr());
    T* dst = reinterpret_cast<T*>(out.data_ptr());
    if (inner > 1)
      softmax_columns_kernel<T><<<grid_for(rows * inner), 256, 0, stream_for(in.device().index)>>>(
          rows, n, inner, src, dst, log);
    else
      softmax_kernel<T><<<rows_grid(rows), kRowThreads, sizeof(opmath_t<T>) * kRowThreads,
                          stream_for(in.device().index)>>>(rows, n, src, dst, log);
  });
  check_last_launch("softmax kernel");
}

template <class T>
__global__ void row_norm_kernel(int64_t rows, int64_t n, const T* src, const T* w, const T* b, RowNormArgs a, T* dst,
                                opmath_t<T>* mean_out, opmath_t<T>* rstd_out) {
  using M = opmath_t<T>;
  const int64_t channels = n / a.inner;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = src + r * n;
    T* out = dst + r * n;
    M mu = 0;
    if (a.centered) {
      M sum = 0;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) sum += static_cast<M>(row[i]);
      sum = block_reduce(sum, [](M p, M q) { return sum_of(p, q); });
      mu = n ? sum / static_cast<M>(n) : M(0);
    }
    M sq = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      M d = static_cast<M>(row[i]) - mu;
      sq += d * d;
    }
    sq = block_reduce(sq, [](M p, M q) { return sum_of(p, q); });
    const M inv = M(1) / sqrt((n ? sq / static_cast<M>(n) : M(0)) + static_cast<M>(a.eps));
    if (threadIdx.x == 0) {
      mean_out[r] = mu;
      rstd_out[r] = inv;
    }
    const int64_t first = (r % a.groups) * channels;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const int64_t c = first + i / a.inner;
      M v = (static_cast<M>(row[i]) - mu) * inv;
      if (w) v = v * static_cast<M>(w[c]);
      if (b) v = v + static_cast<M>(b[c]);
      out[i] = static_cast<T>(v);
    }
  }
}

void row_norm(const Tensor& x, const Tensor* weight, const Tensor* bias, const RowNormArgs& args, Tensor& y,
              Tensor& mean, Tensor& rstd) {
  const int64_t n = x.sizes()[1], rows = x.sizes()[0];
  if (rows == 0) return;
  DeviceGuard guard(x.device().index);
  DG_DISPATCH_FLOATING(x.dtype(), "layer_norm", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    row_norm_kernel<T><<<rows_grid(rows), kRowThreads, sizeof(M) * kRowThreads, stream_for(x.device().index)>>>(
        rows, n, reinterpret_cast<const T*>(x.data_ptr()),
        weight ? reinterpret_cast<const T*>(weight->data_ptr()) : nullptr,
        bias ? reinterpret_cast<const T*>(bias->data_ptr()) : nullptr, args, reinterpret_cast<T*>(y.data_ptr()),
        reinterpret_cast<M*>(mean.data_ptr()), reinterpret_cast<M*>(rstd.data_ptr()));
  });
  check_last_launch("layer_norm kernel");
}

// One block per row, as the forward. The per-channel sums for the
// parameter gradients are block reductions per channel when a channel has
// `inner` > 1 elements, and plain per-element writes when it has one.
template <class T>
__global__ void row_norm_backward_kernel(int64_t rows, int64_t n, const T* grad, const T* src, const T* w,
                                         const opmath_t<T>* mean, const opmath_t<T>* rstd, RowNormArgs a, T* dst,
                                         opmath_t<T>* gx_sums, opmath_t<T>* g_sums) {
  using M = opmath_t<T>;
  const int64_t channels = n / a.inner;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* xr = src + r * n;
    const T* gr = grad + r * n;
    T* out = dst + r * n;
    const M mu = mean[r], inv = rstd[r];
    const int64_t first = (r % a.groups) * channels;
    M sum_gw = 0, sum_gwx = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const M g = static_cast<M>(gr[i]), xhat = (static_cast<M>(xr[i]) - mu) * inv;
      const M gw = w ? g * static_cast<M>(w[first + i / a.inner]) : g;
      sum_gw += gw;
      sum_gwx += gw * xhat;
      if (a.inner == 1) {
        if (gx_sums) gx_sums[r * n + i] = g * xhat;
        if (g_sums) g_sums[r * n + i] = g;
      }
    }
    sum_gw = block_reduce(sum_gw, [](M p, M q) { return sum_of(p, q); });
    sum_gwx = block_reduce(sum_gwx, [](M p, M q) { return sum_of(p, q); });
    if (a.inner > 1 && (gx_sums || g_sums)) {
      for (int64_t c = 0; c < channels; ++c) {
        M sg = 0, sgx = 0;
        for (int64_t j = threadIdx.x; j < a.inner; j += blockDim.x) {
          const M g = static_cast<M>(gr[c * a.inner + j]);
          sg += g;
          sgx += g * (static_cast<M>(xr[c * a.inner + j]) - mu) * inv;
        }
        sg = block_reduce(sg, [](M p, M q) { return sum_of(p, q); });
        sgx = block_reduce(sgx, [](M p, M q) { return sum_of(p, q); });
        if (threadIdx.x == 0) {
          if (gx_sums) gx_sums[r * channels + c] = sgx;
          if (g_sums) g_sums[r * channels + c] = sg;
        }
      }
    }
    const M a_term = a.centered ? sum_gw / static_cast<M>(n) : M(0), b_term = sum_gwx / static_cast<M>(n);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const M g = static_cast<M>(gr[i]), xhat = (static_cast<M>(xr[i]) - mu) * inv;
      const M gw = w ? g * static_cast<M>(w[first + i / a.inner]) : g;
      out[i] = static_cast<T>(inv * (gw - a_term - xhat * b_term));
    }
  }
}

void row_norm_backward(const RowNormBackwardArgs& a) {
  const Tensor& x = *a.x;
  const int64_t n = x.sizes()[1], rows = x.sizes()[0];
  if (rows == 0) return;
  DeviceGuard guard(x.device().index);
  DG_DISPATCH_FLOATING(x.dtype(), "layer_norm_backward", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    row_norm_backward_kernel<T><<<rows_grid(rows), kRowThreads, sizeof(M) * kRowThreads,
                                  stream_for(x.device().index)>>>(
        rows, n, reinterpret_cast<const T*>(a.grad_out->data_ptr()), reinterpret_cast<const T*>(x.data_ptr()),
        a.weight ? reinterpret_cast<const T*>(a.weight->data_ptr()) : nullptr,
        reinterpret_cast<const M*>(a.mean->data_ptr()), reinterpret_cast<const M*>(a.rstd->data_ptr()), a.norm,
        reinterpret_cast<T*>(a.grad_in->data_ptr()),
        a.grad_xhat_sums ? reinterpret_cast<M*>(a.grad_xhat_sums->data_ptr()) : nullptr,
        a.grad_sums ? reinterpret_cast<M*>(a.grad_sums->data_ptr()) : nullptr);
  });
  check_last_launch("layer_norm backward kernel");
}

// Mean and biased variance of channel ch of a dense (n, c, s) input.
template <class T>
__global__ void channel_moments_kernel(int64_t n, int64_t c, int64_t s, const T* src, opmath_t<T>* mean_out,
                                       opmath_t<T>* var_out) {
  using M = opmath_t<T>;
  const int64_t count = n * s;
  for (int64_t ch = blockIdx.x; ch < c; ch += gridDim.x) {
    M sum = 0;
    for (int64_t i = threadIdx.x; i < count; i += blockDim.x) sum += static_cast<M>(src[((i / s) * c + ch) * s + i % s]);
    sum = block_reduce(sum, [](M a, M b) { return sum_of(a, b); });
    const M mu = count ? sum / static_cast<M>(count) : M(0);
    M sq = 0;
    for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
      M d = static_cast<M>(src[((i / s) * c + ch) * s + i % s]) - mu;
      sq += d * d;
    }
    sq = block_reduce(sq, [](M a, M b) { return sum_of(a, b); });
    if (threadIdx.x == 0) {
      mean_out[ch] = mu;
      var_out[ch] = count ? sq / static_cast<M>(count) : M(0);
    }
  }
}

void channel_moments(const Tensor& x, Tensor& mean, Tensor& var) {
  const int64_t n = x.sizes()[0], c = x.sizes()[1], s = x.sizes()[2];
  if (c == 0) return;
  DG_DISPATCH_FLOATING(x.dtype(), "batch_norm", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    channel_moments_kernel<T><<<rows_grid(c), kRowThreads, sizeof(M) * kRowThreads, stream_for(current_device_index())>>>(
        n, c, s, reinterpret_cast<const T*>(x.data_ptr()), reinterpret_cast<M*>(mean.data_ptr()),
        reinterpret_cast<M*>(var.data_ptr()));
  });
  check_last_launch("batch_norm kernel");
}

// ---- sliding windows ---------------------------------------------------------------

// The window geometry, by value for kernels.
struct Window {
  int64_t image[3], kernel[3], out[3], stride[3], padding[3], dilation[3];
  int64_t plane, out_count, taps;
  bool adaptive;
  const void* fractional_samples;  // max pooling's fractional windows: (planes, 3) of the image's dtype
};
Window window_of(const WindowArgs& a) {
  Window w;
  for (int d = 0; d < 3; ++d) {
    w.image[d] = a.image[d];
    w.kernel[d] = a.kernel[d];
    w.out[d] = a.out[d];
    w.stride[d] = a.stride[d];
    w.padding[d] = a.padding[d];
    w.dilation[d] = a.dilation[d];
  }
  w.plane = a.image[0] * a.image[1] * a.image[2];
  w.out_count = a.out[0] * a.out[1] * a.out[2];
  w.taps = a.kernel[0] * a.kernel[1] * a.kernel[2];
  w.adaptive = a.adaptive;
  w.fractional_samples = a.fractional_samples;
  return w;
}

// The image index (in its plane) that tap `tap` of output position `o`
// reads, or -1 for padding (or past an adaptive window's end).
__device__ int64_t tap_source(const Window& w, int64_t tap, int64_t o) {
  const int64_t k2 = tap % w.kernel[2], k1 = (tap / w.kernel[2]) % w.kernel[1], k0 = tap / (w.kernel[2] * w.kernel[1]);
  const int64_t o2 = o % w.out[2], o1 = (o / w.out[2]) % w.out[1], o0 = o / (w.out[2] * w.out[1]);
  const int64_t i0 = window_source(w.adaptive, o0, k0, w.image[0], w.out[0], w.stride[0], w.padding[0], w.dilation[0]);
  const int64_t i1 = window_source(w.adaptive, o1, k1, w.image[1], w.out[1], w.stride[1], w.padding[1], w.dilation[1]);
  const int64_t i2 = window_source(w.adaptive, o2, k2, w.image[2], w.out[2], w.stride[2], w.padding[2], w.dilation[2]);
  if (i0 < 0 || i1 < 0 || i2 < 0) return -1;
  return (i0 * w.image[1] + i1) * w.image[2] + i2;
}

// Fractional windows: where output o's window starts in its plane (per axis,
// placed by the plane's samples u), and the image index of its tap `tap`.
template <class T>
__device__ void fractional_starts(const Window& w, const T* u, int64_t o, int64_t start[3]) {
  using M = opmath_t<T>;
  const int64_t od[3] = {o / (w.out[2] * w.out[1]), (o / w.out[2]) % w.out[1], o % w.out[2]};
  for (int d = 0; d < 3; ++d) start[d] = fractional_start(static_cast<M>(u[d]), od[d], w.image[d], w.out[d], w.kernel[d]);
}
__device__ int64_t fractional_tap_source(const Window& w, const int64_t start[3], int64_t tap) {
  const int64_t k0 = tap / (w.kernel[2] * w.kernel[1]), k1 = (tap / w.kernel[2]) % w.kernel[1], k2 = tap % w.kernel[2];
  return ((start[0] + k0) * w.image[1] + start[1] + k1) * w.image[2] + start[2] + k2;
}

// cols[p][tap][o] = image[p][tap_source(tap, o)] (0 for padding).
template <class T>
__global__ void im2col_kernel(int64_t total, Window w, const T* image, T* cols) {
  const int64_t per_plane = w.taps * w.out_count;
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t p = i / per_plane, c = i % per_plane;
    const int64_t src = tap_source(w, c / w.out_count, c % w.out_count);
    cols[i] = src >= 0 ? image[p * w.plane + src] : T(0);
  }
}

// image[p][idx] = sum over the (tap, o) that read idx of cols[p][tap][o], in
// tap order as on the CPU; one thread per image element, so no atomics.
template <class T>
__global__ void col2im_kernel(int64_t total, Window w, const T* cols, T* image) {
  const int64_t per_plane = w.taps * w.out_count;
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t p = i / w.plane, idx = i % w.plane;
    const int64_t x2 = idx % w.image[2], x1 = (idx / w.image[2]) % w.image[1], x0 = idx / (w.image[2] * w.image[1]);
    T acc = T(0);
    int64_t tap = 0;
    for (int64_t k0 = 0; k0 < w.kernel[0]; ++k0)
      for (int64_t k1 = 0; k1 < w.kernel[1]; ++k1)
        for (int64_t k2 = 0; k2 < w.kernel[2]; ++k2, ++tap) {
          // Output position whose window puts tap (k0, k1, k2) on (x0, x1, x2).
          const int64_t n0 = x0 + w.padding[0] - k0 * w.dilation[0];
          const int64_t n1 = x1 + w.padding[1] - k1 * w.dilation[1];
          const int64_t n2 = x2 + w.padding[2] - k2 * w.dilation[2];
          if (n0 < 0 || n1 < 0 || n2 < 0 || n0 % w.stride[0] || n1 % w.stride[1] || n2 % w.stride[2]) continue;
          const int64_t o0 = n0 / w.stride[0], o1 = n1 / w.stride[1], o2 = n2 / w.stride[2];
          if (o0 >= w.out[0] || o1 >= w.out[1] || o2 >= w.out[2]) continue;
          acc = static_cast<T>(acc + cols[p * per_plane + tap * w.out_count + (o0 * w.out[1] + o1) * w.out[2] + o2]);
        }
    image[i] = acc;
  }
}

void im2col(const WindowArgs& a, const char* image, char* cols) {
  DG_CHECK(!a.batch_inner, Error, "im2col: the batch-inner column layout is CPU-only");
  const Window w = window_of(a);
  const int64_t total = a.batch * a.channels * w.taps * w.out_count;
  if (total == 0) return;
  DG_DISPATCH_ALL(a.dtype, "im2col", [&] {
    using T = scalar_t;
    im2col_kernel<T><<<grid_for(total), 256, 0, stream_for(current_device_index())>>>(total, w, reinterpret_cast<const T*>(image),
                                                                         reinterpret_cast<T*>(cols));
  });
  check_last_launch("im2col kernel");
}

void col2im(const WindowArgs& a, const char* cols, char* image) {
  DG_CHECK(!a.batch_inner, Error, "col2im: the batch-inner column layout is CPU-only");
  const Window w = window_of(a);
  const int64_t total = a.batch * a.channels * w.plane;
  if (total == 0) return;
  DG_DISPATCH_ALL(a.dtype, "col2im", [&] {
    using T = scalar_t;
    col2im_kernel<T><<<grid_for(total), 256, 0, stream_for(current_device_index())>>>(total, w, reinterpret_cast<const T*>(cols),
                                                                         reinterpret_cast<T*>(image));
  });
  check_last_launch("col2im kernel");
}

// Max over each window: the first valid tap starts the max and any NaN wins,
// as on the CPU (and in PyTorch); indices are flat positions in the plane.
template <class T>
__global__ void max_pool_kernel(int64_t total, Window w, const T* image, T* values, int64_t* indices) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t p = i / w.out_count, o = i % w.out_count;
    const T* in = image + p * w.plane;
    const bool fractional = w.fractional_samples != nullptr;
    int64_t start[3] = {0, 0, 0};
    if (fractional) fractional_starts(w, static_cast<const T*>(w.fractional_samples) + 3 * p, o, start);
    M best = M(0);
    int64_t best_i = -1;
    for (int64_t tap = 0; tap < w.taps; ++tap) {
      const int64_t src = fractional ? fractional_tap_source(w, start, tap) : tap_source(w, tap, o);
      if (src < 0) continue;
      M val = static_cast<M>(in[src]);
      if (best_i < 0 || val > best || val != val) {
        best = val;
        best_i = src;
      }
    }
    values[i] = static_cast<T>(best);
    indices[i] = best_i;
  }
}

void max_pool(const WindowArgs& a, const char* image, char* values, int64_t* indices) {
  const Window w = window_of(a);
  const int64_t total = a.batch * a.channels * w.out_count;
  if (total == 0) return;
  DG_DISPATCH_REAL(a.dtype, "max_pool", [&] {
    using T = scalar_t;
    max_pool_kernel<T><<<grid_for(total), 256, 0, stream_for(current_device_index())>>>(
        total, w, reinterpret_cast<const T*>(image), reinterpret_cast<T*>(values), indices);
  });
  check_last_launch("max_pool kernel");
}

}  // namespace

void register_nn_kernels(KernelTable& t) {
  t.softmax = &softmax;
  t.row_norm = &row_norm;
  t.row_norm_backward = &row_norm_backward;
  t.channel_moments = &channel_moments;
  t.im2col = &im2col;
  t.col2im = &col2im;
  t.max_pool = &max_pool;
}

}  // namespace dg::cuda
