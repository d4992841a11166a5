// The per-ISA float32 row kernels (vector_kernels.h). CMake compiles this
// file twice: with the core's AVX2 flags (DG_VECTOR_ISA=base, the default)
// and with AVX-512 flags (DG_VECTOR_ISA=avx512). Each copy lives in its own
// namespace, so the two never share a symbol; vector_kernels() below picks
// one at load time. Header functions inlined here (exp_flush) are compiled
// into each copy; their out-of-line copies come from the AVX2 objects, which
// link first.
#include "cpu/vector_kernels.h"

#include <cmath>
#include <limits>

#include "cpu/softmax_block.h"
#include "kernels/fast_exp.h"

#ifndef DG_VECTOR_ISA
#define DG_VECTOR_ISA base  // the core's own flags: AVX2 on x86-64
#define DG_VECTOR_BASELINE 1
#endif

namespace dg::cpu::DG_VECTOR_ISA {

namespace {

// 32 float lanes over blocks of 512 values (16 additions per lane), the lanes
// folded pairwise, the block totals added in double: at most about 21
// roundings of error, no more than NumPy's pairwise sum, at full float vector
// width instead of converting every value to double.
double sum_f32(const float* x, int64_t n) {
  constexpr int kLanes = 32;
  constexpr int64_t kBlock = 512;
  double total = 0;
  int64_t k = 0;
  for (; k + kBlock <= n; k += kBlock) {
    float lanes[kLanes] = {};
    for (int64_t j = 0; j < kBlock; j += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += x[k + j + l];
    for (int width = kLanes / 2; width > 0; width /= 2)
      for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
    total += lanes[0];
  }
  double tail = 0;  // fewer than kBlock values
  for (; k < n; ++k) tail += x[k];
  return total + tail;
}

void softmax_f32(const float* x, float* y, int64_t n, bool log, float* ex) {
  float m = -std::numeric_limits<float>::infinity();
  // A NaN never wins here, but it still turns the row's sum (so the row) into NaN.
#pragma omp simd reduction(max : m)
  for (int64_t k = 0; k < n; ++k) m = x[k] > m ? x[k] : m;
  if (std::isinf(m)) m = m > 0 ? m : 0.0f;  // all -inf: no shift (gives NaN like PyTorch's 0/0)
  float sum = 0;
  if (log) {
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < n; ++k) sum += math::exp_flush(x[k] - m);
    const float shift = m + std::log(sum);
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) y[k] = x[k] - shift;
    return;
  }
#pragma omp simd reduction(+ : sum)
  for (int64_t k = 0; k < n; ++k) {
    ex[k] = math::exp_flush(x[k] - m);
    sum += ex[k];
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) y[k] = ex[k] * inv;
}

void softmax_columns_f32(const float* x, float* y, int64_t n, int64_t inner, int64_t width, bool log, float* m,
                         float* sum) {
  softmax_column_block(x, y, n, inner, width, log, m, sum, [](float v) { return math::exp_flush(v); });
}

}  // namespace

#if defined(__AVX512F__)
constexpr const char* kIsa = "AVX512";
#elif defined(__AVX2__)
constexpr const char* kIsa = "AVX2";
#else
constexpr const char* kIsa = "DEFAULT";
#endif

extern const VectorKernels kernels;  // extern: a namespace-scope const is internal otherwise
const VectorKernels kernels = {kIsa, &sum_f32, &softmax_f32, &softmax_columns_f32};

}  // namespace dg::cpu::DG_VECTOR_ISA

#ifdef DG_VECTOR_BASELINE
#include "dyngraph/cpu.h"

namespace dg::cpu {

#ifdef DG_HAVE_AVX512_KERNELS
namespace avx512 {
extern const VectorKernels kernels;
}
#endif

const VectorKernels& vector_kernels() {
  static const VectorKernels& chosen = [] () -> const VectorKernels& {
#ifdef DG_HAVE_AVX512_KERNELS
    // libgcc's check includes the OS's support for the AVX-512 register state.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
      return avx512::kernels;
#endif
    return base::kernels;
  }();
  return chosen;
}

std::string capability() { return vector_kernels().isa; }

}  // namespace dg::cpu
#endif
