// Hot float32 row kernels compiled once per x86 vector ISA and chosen when
// the library loads: AVX-512 where the CPU (and OS) have it, AVX2 otherwise,
// so one wheel runs everywhere and uses each machine's full vector width.
// Only these few compute-bound loops are built twice; the memory-bound
// kernels gain nothing from wider vectors and would double the build time.
#pragma once

#include <cstdint>

namespace dg::cpu {

struct VectorKernels {
  const char* isa;  // "AVX512", "AVX2" or "DEFAULT", as dg::cpu::capability()
  // Sum of n contiguous float32 values (see vector_kernels.cpp for accuracy).
  double (*sum_f32)(const float* x, int64_t n);
  // One softmax (or log-softmax) row of n values, y may not alias x;
  // scratch holds n floats.
  void (*softmax_f32)(const float* x, float* y, int64_t n, bool log, float* scratch);
  // One block of `width` positions of a softmax over the middle dim of
  // (outer, n, inner) (softmax_block.h); m and sum hold width floats each.
  void (*softmax_columns_f32)(const float* x, float* y, int64_t n, int64_t inner, int64_t width, bool log, float* m,
                              float* sum);
};

// The variant for this machine, chosen once.
const VectorKernels& vector_kernels();

}  // namespace dg::cpu
