// CPU sorting and scans along the last dim of dense (rows, n) tensors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "cpu/softmax_block.h"
#include "cpu/vector_kernels.h"
#include "kernels/convert.h"
#include "kernels/fast_exp.h"
#include "kernels/wrapping.h"

namespace dg::cpu {

namespace {

void sort_kernel(const Tensor& in, Tensor& values, Tensor& indices, bool descending) {
  const int64_t n = in.sizes().back(), rows = n ? in.numel() / n : 0;
  DG_DISPATCH_REAL(in.dtype(), "sort", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(in.data_ptr());
    T* vals = reinterpret_cast<T*>(values.data_ptr());
    int64_t* idx = indices.data_ptr<int64_t>();
    parallel_for(0, rows, 1, [&](int64_t b, int64_t e) {
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t r = b; r < e; ++r) {
        const T* row = src + r * n;
        std::iota(order.begin(), order.end(), 0);
        // NaN sorts as the largest value, as in PyTorch; ties keep their order.
        auto less = [&](int64_t i, int64_t j) {
          M a = static_cast<M>(row[i]), c = static_cast<M>(row[j]);
          if (a != a) return false;
          if (c != c) return true;
          return a < c;
        };
        if (descending)
          std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return less(j, i); });
        else
          std::stable_sort(order.begin(), order.end(), less);
        for (int64_t k = 0; k < n; ++k) {
          vals[r * n + k] = row[order[k]];
          idx[r * n + k] = order[k];
        }
      }
    });
  });
}

template <class T> struct wide { using type = std::conditional_t<std::is_integral<T>::value, int64_t, opmath_t<T>>; };
template <> struct wide<complex64_t> { using type = complex64_t; };
template <> struct wide<complex128_t> { using type = complex128_t; };

void scan_kernel(const Tensor& in, Tensor& out, ScanOp op) {
  const int64_t n = in.sizes().back(), rows = n ? in.numel() / n : 0;
  DG_DISPATCH_ALL(out.dtype(), "cumulative op", [&] {
    using T = scalar_t;
    using A = typename wide<T>::type;
    const T* src = reinterpret_cast<const T*>(in.data_ptr());
    T* dst = reinterpret_cast<T*>(out.data_ptr());
    parallel_for(0, rows, 64, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        A acc = op == ScanOp::cumprod ? A(1) : A(0);
        for (int64_t k = 0; k < n; ++k) {
          A x = static_cast<A>(src[r * n + k]);
          acc = op == ScanOp::cumprod ? ops::wrap_mul(acc, x) : ops::wrap_add(acc, x);  // integers wrap
          dst[r * n + k] = static_cast<T>(acc);
        }
      }
    });
  });
}

template <class M>
M exp_of(M x) {
  if constexpr (std::is_same<M, float>::value) return math::exp_flush(x);
  else return std::exp(x);
}

// Softmax over the middle dim of (outer, n, inner) with inner > 1, in blocks
// of neighbouring positions (softmax_block.h); float32 takes the per-ISA copy.
template <class T>
void softmax_columns(const T* src, T* dst, int64_t outer, int64_t n, int64_t inner, bool log) {
  using M = opmath_t<T>;
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallel_for(0, outer * blocks, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n * kBlock, 1)),
               [&](int64_t b, int64_t e) {
    M m[kBlock], sum[kBlock];
    for (int64_t task = b; task < e; ++task) {
      const int64_t o = task / blocks, j0 = (task % blocks) * kBlock, width = std::min(kBlock, inner - j0);
      const T* x = src + o * n * inner + j0;
      T* y = dst + o * n * inner + j0;
      if constexpr (std::is_same<T, float>::value)
        vector_kernels().softmax_columns_f32(x, y, n, inner, width, log, m, sum);
      else
        softmax_column_block(x, y, n, inner, width, log, m, sum, [](M v) { return exp_of(v); });
    }
  });
}

// Rows (inner 1): one pass for the max, one for the sum of exponentials, one to write.
void softmax_kernel(const Tensor& in, Tensor& out, bool log) {
  const int64_t rows = in.sizes()[0], n = in.sizes()[1], inner = in.sizes()[2];
  DG_DISPATCH_FLOATING(in.dtype(), "softmax", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(in.data_ptr());
    T* dst = reinterpret_cast<T*>(out.data_ptr());
    if (inner > 1) return softmax_columns(src, dst, rows, n, inner, log);
    parallel_for(0, rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      std::vector<M> ex(static_cast<size_t>(n));
      for (int64_t r = b; r < e; ++r) {
        const T* x = src + r * n;
        T* y = dst + r * n;
        if constexpr (std::is_same<T, float>::value) {  // the per-ISA kernel (the casts only compile other T)
          vector_kernels().softmax_f32(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(y), n, log,
                                       reinterpret_cast<float*>(ex.data()));
          continue;
        }
        M m = -std::numeric_limits<M>::infinity();
        // A NaN never wins here, but it still turns the row's sum (so the row) into NaN.
_Pragma("omp simd reduction(max : m)")
        for (int64_t k = 0; k < n; ++k) m = static_cast<M>(x[k]) > m ? static_cast<M>(x[k]) : m;
        if (std::isinf(m)) m = m > 0 ? m : M(0);  // all -inf: no shift (gives NaN like PyTorch's 0/0)
        M sum = 0;
        M* e_row = ex.data();
        if constexpr (std::is_same<M, float>::value) {  // float16, bfloat16
_Pragma("omp simd reduction(+ : sum)")
          for (int64_t k = 0; k < n; ++k) {
            e_row[k] = math::exp_flush(static_cast<M>(x[k]) - m);
            sum += e_row[k];
          }
        } else {
          for (int64_t k = 0; k < n; ++k) {
            e_row[k] = std::exp(static_cast<M>(x[k]) - m);
            sum += e_row[k];
          }
        }
        if (log) {
          const M shift = m + std::log(sum);
          for (int64_t k = 0; k < n; ++k) y[k] = static_cast<T>(static_cast<M>(x[k]) - shift);
        } else {
          const M inv = M(1) / sum;
          for (int64_t k = 0; k < n; ++k) y[k] = static_cast<T>(ex[k] * inv);
        }
      }
    });
  });
}

}  // namespace

void register_sort_kernels(KernelTable& t) {
  t.sort = &sort_kernel;
  t.scan = &scan_kernel;
  t.softmax = &softmax_kernel;
}

}  // namespace dg::cpu
