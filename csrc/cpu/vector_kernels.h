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
};

// The variant for this machine, chosen once.
const VectorKernels& vector_kernels();

}  // namespace dg::cpu
