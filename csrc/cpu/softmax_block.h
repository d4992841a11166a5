// One block of the softmax over the middle dim of a dense (outer, n, inner)
// input: `width` neighbouring positions of one outer index, whose n values are
// `inner` apart. Every pass runs across the block, so it vectorizes. A header
// because the float32 instance is compiled per vector ISA (vector_kernels.cpp)
// and the other dtypes' with the core's flags (sort_kernels.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace dg::cpu {

// m and sum are scratch of width values each (the opmath type M).
template <class T, class M, class Exp>
inline void softmax_column_block(const T* x, T* y, int64_t n, int64_t inner, int64_t width, bool log, M* m, M* sum,
                                 Exp exp_of) {
  for (int64_t j = 0; j < width; ++j) {
    m[j] = -std::numeric_limits<M>::infinity();
    sum[j] = 0;
  }
  for (int64_t k = 0; k < n; ++k) {
    const T* xk = x + k * inner;
#pragma omp simd
    for (int64_t j = 0; j < width; ++j) m[j] = static_cast<M>(xk[j]) > m[j] ? static_cast<M>(xk[j]) : m[j];
  }
  for (int64_t j = 0; j < width; ++j)
    if (std::isinf(m[j])) m[j] = m[j] > 0 ? m[j] : M(0);  // all -inf: no shift (NaN, as the row path)
  for (int64_t k = 0; k < n; ++k) {
    const T* xk = x + k * inner;
#pragma omp simd
    for (int64_t j = 0; j < width; ++j) sum[j] += exp_of(static_cast<M>(xk[j]) - m[j]);
  }
  for (int64_t j = 0; j < width; ++j) sum[j] = log ? m[j] + std::log(sum[j]) : M(1) / sum[j];
  for (int64_t k = 0; k < n; ++k) {
    const T* xk = x + k * inner;
    T* yk = y + k * inner;
    if (log) {
#pragma omp simd
      for (int64_t j = 0; j < width; ++j) yk[j] = static_cast<T>(static_cast<M>(xk[j]) - sum[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < width; ++j) yk[j] = static_cast<T>(exp_of(static_cast<M>(xk[j]) - m[j]) * sum[j]);
    }
  }
}

}  // namespace dg::cpu
