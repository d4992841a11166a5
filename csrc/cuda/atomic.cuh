// atomic_add for every dtype the CUDA kernels accumulate into.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/convert.h"

namespace dg::cuda {

// dst += v, atomically. Types without a native atomic add use a
// compare-and-swap loop on the aligned 32-bit word that holds them.
template <class T>
__device__ void atomic_add(T* dst, T v) {
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value || std::is_same<T, int32_t>::value) {
    atomicAdd(dst, v);
  } else if constexpr (std::is_same<T, int64_t>::value) {
    atomicAdd(reinterpret_cast<unsigned long long*>(dst), static_cast<unsigned long long>(v));  // wraps like int64
  } else if constexpr (is_complex_t<T>::value) {
    atomic_add(&dst->re, v.re);
    atomic_add(&dst->im, v.im);
  } else {
    static_assert(sizeof(T) <= 2, "sub-word types only");
    const uintptr_t addr = reinterpret_cast<uintptr_t>(dst);
    unsigned* word = reinterpret_cast<unsigned*>(addr & ~uintptr_t(3));
    const unsigned shift = static_cast<unsigned>(addr & 3) * 8;
    const unsigned mask = ((1u << (8 * sizeof(T))) - 1u) << shift;
    unsigned old = *word, assumed;
    do {
      assumed = old;
      T cur;
      unsigned bits = (assumed & mask) >> shift;
      memcpy(&cur, &bits, sizeof(T));
      T sum = T(cur + v);
      unsigned new_bits = 0;
      memcpy(&new_bits, &sum, sizeof(T));
      old = atomicCAS(word, assumed, (assumed & ~mask) | (new_bits << shift));
    } while (old != assumed);
  }
}

}  // namespace dg::cuda
