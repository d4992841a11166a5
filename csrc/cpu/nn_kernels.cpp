// CPU kernels of the nn ops that are not im2col: max pooling and row normalization.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/adaptive_window.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

template <class M>
M lowest_value() {
  if constexpr (std::numeric_limits<M>::has_infinity) return -std::numeric_limits<M>::infinity();
  return std::numeric_limits<M>::lowest();
}

// When every tap of every window lies inside the image (no padding, and no
// ceil_mode window hanging over the edge), the 2-D loop needs no bounds
// checks; the common 2x2 and 3x3 pools run several times faster this way.
template <class T>
void max_pool_2d_unpadded(const WindowArgs& a, const T* in, T* v, int64_t* ix) {
  using M = opmath_t<T>;
  const int64_t width = a.image[2];
  for (int64_t o1 = 0; o1 < a.out[1]; ++o1) {
    for (int64_t o2 = 0; o2 < a.out[2]; ++o2) {
      const int64_t start = o1 * a.stride[1] * width + o2 * a.stride[2];
      M best = static_cast<M>(in[start]);
      int64_t best_i = start;
      for (int64_t k1 = 0; k1 < a.kernel[1]; ++k1) {
        const int64_t row = start + k1 * a.dilation[1] * width;
        for (int64_t k2 = 0; k2 < a.kernel[2]; ++k2) {
          const int64_t idx = row + k2 * a.dilation[2];
          const M val = static_cast<M>(in[idx]);
          // As the general loop below (and PyTorch): any NaN wins.
          if (val > best || val != val) {
            best = val;
            best_i = idx;
          }
        }
      }
      v[o1 * a.out[2] + o2] = static_cast<T>(best);
      ix[o1 * a.out[2] + o2] = best_i;
    }
  }
}

// Windows given by their bounds (adaptive and fractional pooling): each
// output's [start, end) once per axis from range(axis, o), then a plain loop
// over the window (first element starts the max, NaN wins).
template <class T, class Range>
void max_pool_ranges(const WindowArgs& a, const T* in, T* v, int64_t* ix, Range range) {
  using M = opmath_t<T>;
  int64_t o = 0;
  for (int64_t o0 = 0; o0 < a.out[0]; ++o0) {
    const auto [s0, e0] = range(0, o0);
    for (int64_t o1 = 0; o1 < a.out[1]; ++o1) {
      const auto [s1, e1] = range(1, o1);
      for (int64_t o2 = 0; o2 < a.out[2]; ++o2, ++o) {
        const auto [s2, e2] = range(2, o2);
        int64_t best_i = (s0 * a.image[1] + s1) * a.image[2] + s2;
        M best = static_cast<M>(in[best_i]);
        for (int64_t i0 = s0; i0 < e0; ++i0)
          for (int64_t i1 = s1; i1 < e1; ++i1) {
            const int64_t row = (i0 * a.image[1] + i1) * a.image[2];
            for (int64_t i2 = s2; i2 < e2; ++i2) {
              const M val = static_cast<M>(in[row + i2]);
              if (val > best || val != val) {
                best = val;
                best_i = row + i2;
              }
            }
          }
        v[o] = static_cast<T>(best);
        ix[o] = best_i;
      }
    }
  }
}

void max_pool_kernel(const WindowArgs& a, const char* image, char* values, int64_t* indices) {
  bool unpadded_2d = !a.adaptive && !a.fractional_samples && a.image[0] == 1 && a.kernel[0] == 1;
  for (int d = 1; d < 3; ++d)
    unpadded_2d = unpadded_2d && a.padding[d] == 0 &&
                  (a.out[d] - 1) * a.stride[d] + (a.kernel[d] - 1) * a.dilation[d] < a.image[d];
  DG_DISPATCH_REAL(a.dtype, "max_pool", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(image);
    T* dst = reinterpret_cast<T*>(values);
    const int64_t plane = a.image[0] * a.image[1] * a.image[2], outs = a.out[0] * a.out[1] * a.out[2];
    const int64_t taps = a.kernel[0] * a.kernel[1] * a.kernel[2];
    parallel_for(0, a.batch * a.channels, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(outs * taps, 1)),
                 [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* in = src + p * plane;
        T* v = dst + p * outs;
        int64_t* ix = indices + p * outs;
        if (unpadded_2d) {
          max_pool_2d_unpadded(a, in, v, ix);
          continue;
        }
        if (a.adaptive) {
          max_pool_ranges(a, in, v, ix, [&](int d, int64_t o_d) {
            return std::pair{adaptive_start(o_d, a.image[d], a.out[d]), adaptive_end(o_d, a.image[d], a.out[d])};
          });
          continue;
        }
        if (a.fractional_samples) {
          const T* u = static_cast<const T*>(a.fractional_samples) + 3 * p;
          max_pool_ranges(a, in, v, ix, [&](int d, int64_t o_d) {
            const int64_t start = fractional_start(static_cast<M>(u[d]), o_d, a.image[d], a.out[d], a.kernel[d]);
            return std::pair{start, start + a.kernel[d]};
          });
          continue;
        }
        int64_t o = 0;
        for (int64_t o0 = 0; o0 < a.out[0]; ++o0)
          for (int64_t o1 = 0; o1 < a.out[1]; ++o1)
            for (int64_t o2 = 0; o2 < a.out[2]; ++o2, ++o) {
              M best = lowest_value<M>();
              int64_t best_i = -1;
              auto source = [&](int d, int64_t o_d, int64_t k) {
                return window_source(a.adaptive, o_d, k, a.image[d], a.out[d], a.stride[d], a.padding[d],
                                     a.dilation[d]);
              };
              for (int64_t k0 = 0; k0 < a.kernel[0]; ++k0) {
                const int64_t i0 = source(0, o0, k0);
                if (i0 < 0) continue;
                for (int64_t k1 = 0; k1 < a.kernel[1]; ++k1) {
                  const int64_t i1 = source(1, o1, k1);
                  if (i1 < 0) continue;
                  for (int64_t k2 = 0; k2 < a.kernel[2]; ++k2) {
                    const int64_t i2 = source(2, o2, k2);
                    if (i2 < 0) continue;
                    int64_t idx = (i0 * a.image[1] + i1) * a.image[2] + i2;
                    M val = static_cast<M>(in[idx]);
                    // As PyTorch: the first valid tap starts the max, and any NaN wins.
                    if (best_i < 0 || val > best || val != val) {
                      best = val;
                      best_i = idx;
                    }
                  }
                }
              }
              v[o] = static_cast<T>(best);
              ix[o] = best_i;
            }
      }
    });
  });
}

void row_norm_kernel(const Tensor& x, const Tensor* weight, const Tensor* bias, const RowNormArgs& a, Tensor& y,
                     Tensor& mean, Tensor& rstd) {
  const int64_t n = x.sizes()[1], rows = x.sizes()[0], channels = n / a.inner;
  DG_DISPATCH_FLOATING(x.dtype(), "layer_norm", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(x.data_ptr());
    T* dst = reinterpret_cast<T*>(y.data_ptr());
    const T* w = weight ? reinterpret_cast<const T*>(weight->data_ptr()) : nullptr;
    const T* bs = bias ? reinterpret_cast<const T*>(bias->data_ptr()) : nullptr;
    M* mean_out = reinterpret_cast<M*>(mean.data_ptr());
    M* rstd_out = reinterpret_cast<M*>(rstd.data_ptr());
    parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const T* row = src + r * n;
        T* out = dst + r * n;
        // Two passes over a row that stays in cache: exact enough without Welford's divisions.
        M mu = 0;
        if (a.centered) {
          M sum = 0;
_Pragma("omp simd reduction(+ : sum)")
          for (int64_t i = 0; i < n; ++i) sum += static_cast<M>(row[i]);
          mu = n ? sum / static_cast<M>(n) : M(0);
        }
        M sq = 0;
_Pragma("omp simd reduction(+ : sq)")
        for (int64_t i = 0; i < n; ++i) {
          M d = static_cast<M>(row[i]) - mu;
          sq += d * d;
        }
        const M inv = M(1) / std::sqrt((n ? sq / static_cast<M>(n) : M(0)) + static_cast<M>(a.eps));
        mean_out[r] = mu;
        rstd_out[r] = inv;
        const int64_t first = (r % a.groups) * channels;  // this row's first affine parameter
        const T* wr = w ? w + first : nullptr;
        const T* br = bs ? bs + first : nullptr;
        if (a.inner > 1) {  // one parameter per run of `inner`: y = x * scale + shift
          for (int64_t c = 0; c < channels; ++c) {
            const M scale = wr ? inv * static_cast<M>(wr[c]) : inv;
            const M shift = (br ? static_cast<M>(br[c]) : M(0)) - mu * scale;
            const T* in_c = row + c * a.inner;
            T* out_c = out + c * a.inner;
_Pragma("omp simd")
            for (int64_t j = 0; j < a.inner; ++j) out_c[j] = static_cast<T>(static_cast<M>(in_c[j]) * scale + shift);
          }
        } else if (wr && br) {
          for (int64_t i = 0; i < n; ++i)
            out[i] = static_cast<T>((static_cast<M>(row[i]) - mu) * inv * static_cast<M>(wr[i]) + static_cast<M>(br[i]));
        } else if (wr) {
          for (int64_t i = 0; i < n; ++i)
            out[i] = static_cast<T>((static_cast<M>(row[i]) - mu) * inv * static_cast<M>(wr[i]));
        } else if (br) {
          for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>((static_cast<M>(row[i]) - mu) * inv + static_cast<M>(br[i]));
        } else {
          for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>((static_cast<M>(row[i]) - mu) * inv);
        }
      }
    });
  });
}

void row_norm_backward_kernel(const RowNormBackwardArgs& a) {
  const Tensor& x = *a.x;
  const int64_t n = x.sizes()[1], rows = x.sizes()[0], inner = a.norm.inner, channels = n / inner;
  DG_DISPATCH_FLOATING(x.dtype(), "layer_norm_backward", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(x.data_ptr());
    const T* grad = reinterpret_cast<const T*>(a.grad_out->data_ptr());
    const T* w = a.weight ? reinterpret_cast<const T*>(a.weight->data_ptr()) : nullptr;
    const M* mean = reinterpret_cast<const M*>(a.mean->data_ptr());
    const M* rstd = reinterpret_cast<const M*>(a.rstd->data_ptr());
    T* dst = reinterpret_cast<T*>(a.grad_in->data_ptr());
    M* gx_sums = a.grad_xhat_sums ? reinterpret_cast<M*>(a.grad_xhat_sums->data_ptr()) : nullptr;
    M* g_sums = a.grad_sums ? reinterpret_cast<M*>(a.grad_sums->data_ptr()) : nullptr;
    const bool centered = a.norm.centered;
    parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const T* xr = src + r * n;
        const T* gr = grad + r * n;
        T* out = dst + r * n;
        const M mu = mean[r], inv = rstd[r];
        const T* wr = w ? w + (r % a.norm.groups) * channels : nullptr;
        M sum_gw = 0, sum_gwx = 0;
        if (inner == 1) {  // a parameter per element (layer and RMS norm): flat, vectorized loops
_Pragma("omp simd reduction(+ : sum_gw, sum_gwx)")
          for (int64_t i = 0; i < n; ++i) {
            const M g = static_cast<M>(gr[i]), xhat = (static_cast<M>(xr[i]) - mu) * inv;
            const M gw = wr ? g * static_cast<M>(wr[i]) : g;
            sum_gw += gw;
            sum_gwx += gw * xhat;
          }
          if (gx_sums)
            for (int64_t i = 0; i < n; ++i)
              gx_sums[r * n + i] = static_cast<M>(gr[i]) * (static_cast<M>(xr[i]) - mu) * inv;
          if (g_sums)
            for (int64_t i = 0; i < n; ++i) g_sums[r * n + i] = static_cast<M>(gr[i]);
        } else {  // a parameter per channel of `inner` elements (group and instance norm)
          for (int64_t c = 0; c < channels; ++c) {
            const T* xc = xr + c * inner;
            const T* gc = gr + c * inner;
            M sg = 0, sgx = 0;
_Pragma("omp simd reduction(+ : sg, sgx)")
            for (int64_t j = 0; j < inner; ++j) {
              const M g = static_cast<M>(gc[j]);
              sg += g;
              sgx += g * (static_cast<M>(xc[j]) - mu);
            }
            sgx *= inv;
            const M wc = wr ? static_cast<M>(wr[c]) : M(1);
            sum_gw += sg * wc;
            sum_gwx += sgx * wc;
            if (gx_sums) gx_sums[r * channels + c] = sgx;
            if (g_sums) g_sums[r * channels + c] = sg;
          }
        }
        const M a_term = centered ? sum_gw / static_cast<M>(n) : M(0), b_term = sum_gwx / static_cast<M>(n);
        if (inner == 1) {
_Pragma("omp simd")
          for (int64_t i = 0; i < n; ++i) {
            const M g = static_cast<M>(gr[i]), xhat = (static_cast<M>(xr[i]) - mu) * inv;
            const M gw = wr ? g * static_cast<M>(wr[i]) : g;
            out[i] = static_cast<T>(inv * (gw - a_term - xhat * b_term));
          }
        } else {
          for (int64_t c = 0; c < channels; ++c) {
            const M wc = wr ? static_cast<M>(wr[c]) : M(1);
            const T* xc = xr + c * inner;
            const T* gc = gr + c * inner;
            T* oc = out + c * inner;
_Pragma("omp simd")
            for (int64_t j = 0; j < inner; ++j) {
              const M xhat = (static_cast<M>(xc[j]) - mu) * inv;
              oc[j] = static_cast<T>(inv * (static_cast<M>(gc[j]) * wc - a_term - xhat * b_term));
            }
          }
        }
      }
    });
  });
}

void channel_moments_kernel(const Tensor& x, Tensor& mean, Tensor& var) {
  const int64_t n = x.sizes()[0], c = x.sizes()[1], s = x.sizes()[2];
  DG_DISPATCH_FLOATING(x.dtype(), "batch_norm", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(x.data_ptr());
    M* mean_out = reinterpret_cast<M*>(mean.data_ptr());
    M* var_out = reinterpret_cast<M*>(var.data_ptr());
    const int64_t count = n * s;
    parallel_for(0, c, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(count, 1)), [&](int64_t b, int64_t e) {
      for (int64_t ch = b; ch < e; ++ch) {
        // Two passes (mean, then centered squares), each over N contiguous runs of S.
        M sum = 0;
        for (int64_t i = 0; i < n; ++i) {
          const T* run = src + (i * c + ch) * s;
          M part = 0;
_Pragma("omp simd reduction(+ : part)")
          for (int64_t j = 0; j < s; ++j) part += static_cast<M>(run[j]);
          sum += part;
        }
        const M mu = count ? sum / static_cast<M>(count) : M(0);
        M sq = 0;
        for (int64_t i = 0; i < n; ++i) {
          const T* run = src + (i * c + ch) * s;
          M part = 0;
_Pragma("omp simd reduction(+ : part)")
          for (int64_t j = 0; j < s; ++j) {
            M d = static_cast<M>(run[j]) - mu;
            part += d * d;
          }
          sq += part;
        }
        mean_out[ch] = mu;
        var_out[ch] = count ? sq / static_cast<M>(count) : M(0);
      }
    });
  });
}

void max_pool_backward_kernel(const WindowArgs& a, const char* grad, const int64_t* indices, char* grad_image) {
  DG_DISPATCH_FLOATING(a.dtype, "max_pool_backward", [&] {
    using T = scalar_t;
    const T* g = reinterpret_cast<const T*>(grad);
    T* gi = reinterpret_cast<T*>(grad_image);
    const int64_t plane = a.image[0] * a.image[1] * a.image[2], outs = a.out[0] * a.out[1] * a.out[2];
    parallel_for(0, a.batch * a.channels, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(plane + outs, 1)),
                 [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        T* dst = gi + p * plane;
        const T* src = g + p * outs;
        const int64_t* ix = indices + p * outs;
        std::fill(dst, dst + plane, T(0));
        for (int64_t o = 0; o < outs; ++o) dst[ix[o]] = static_cast<T>(dst[ix[o]] + src[o]);
      }
    });
  });
}

}  // namespace

void register_nn_kernels(KernelTable& t) {
  t.max_pool = max_pool_kernel;
  t.max_pool_backward = max_pool_backward_kernel;
  t.row_norm = row_norm_kernel;
  t.row_norm_backward = row_norm_backward_kernel;
  t.channel_moments = channel_moments_kernel;
}

}  // namespace dg::cpu
