// The CPU strided loop engine. A kernel is an inner 1-D loop
//   loop(char** data, const int64_t* strides, int64_t n)
// that advances each operand pointer by its byte stride; for_each() walks
// the outer dimensions of a TensorIter and hands out inner rows, split
// across threads above the grain size. elementwise() builds such a loop from
// a functor, with fast paths for contiguous operands and for a broadcast
// (stride 0) second operand, written so that the compiler vectorizes them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/tensor_iter.h"
#include "cpu/parallel.h"

namespace dg::cpu {

// Runs loop over elements [begin, end) of the iteration space.
template <class Loop>
void serial_for_each(const TensorIter& it, const Loop& loop, int64_t begin, int64_t end) {
  char* ptrs[kMaxOperands];
  int64_t inner_strides[kMaxOperands];
  if (it.ndim <= 1) {
    for (int i = 0; i < it.nops; ++i) {
      inner_strides[i] = it.ndim ? it.strides[i][0] : 0;
      ptrs[i] = it.data[i] + begin * inner_strides[i];
    }
    loop(ptrs, inner_strides, end - begin);
    return;
  }
  const int64_t inner = it.shape[0];
  for (int i = 0; i < it.nops; ++i) inner_strides[i] = it.strides[i][0];
  // The multi-index of `begin` over dims 1..ndim-1.
  int64_t counter[32] = {0};
  int64_t rest = begin / inner, i0 = begin % inner;
  for (int d = 1; d < it.ndim; ++d) {
    counter[d] = rest % it.shape[d];
    rest /= it.shape[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = std::min(inner - i0, end - pos);
    for (int i = 0; i < it.nops; ++i) {
      char* p = it.data[i] + i0 * inner_strides[i];
      for (int d = 1; d < it.ndim; ++d) p += counter[d] * it.strides[i][d];
      ptrs[i] = p;
    }
    loop(ptrs, inner_strides, n);
    pos += n;
    i0 = 0;
    for (int d = 1; d < it.ndim; ++d) {
      if (++counter[d] < it.shape[d]) break;
      counter[d] = 0;
    }
  }
}

// When operands disagree on which of the two innermost dims is contiguous
// (a.T + b), row-by-row iteration reads one of them a cache line per element.
// Walking square tiles instead keeps every operand's lines in cache while
// they are used. Returns false (nothing done) when tiling does not apply.
constexpr int64_t kTile = 128;

template <class Loop>
bool tiled_for_each(const TensorIter& it, const Loop& loop, int64_t grain) {
  if (it.ndim < 2 || it.shape[0] < 2 * kTile || it.shape[1] < 2 * kTile) return false;
  bool dim0_fast = false, dim1_fast = false;
  for (int i = 0; i < it.nops; ++i) {
    int64_t a0 = it.strides[i][0] < 0 ? -it.strides[i][0] : it.strides[i][0];
    int64_t a1 = it.strides[i][1] < 0 ? -it.strides[i][1] : it.strides[i][1];
    if (a0 == 0 || a1 == 0) continue;
    (a0 < a1 ? dim0_fast : dim1_fast) = true;
  }
  if (!(dim0_fast && dim1_fast)) return false;
  const int64_t n0 = it.shape[0], n1 = it.shape[1];
  const int64_t blocks0 = (n0 + kTile - 1) / kTile, blocks1 = (n1 + kTile - 1) / kTile;
  const int64_t per_outer = blocks0 * blocks1, units = it.numel / (n0 * n1) * per_outer;
  parallel_for(0, units, std::max<int64_t>(1, grain / (kTile * kTile)), [&](int64_t b, int64_t e) {
    char* base[kMaxOperands];
    char* ptrs[kMaxOperands];
    int64_t inner_strides[kMaxOperands];
    for (int i = 0; i < it.nops; ++i) inner_strides[i] = it.strides[i][0];
    for (int64_t u = b; u < e; ++u) {
      int64_t outer = u / per_outer, r = u % per_outer;
      int64_t j0 = (r / blocks0) * kTile, i0 = (r % blocks0) * kTile;
      for (int i = 0; i < it.nops; ++i) {
        char* p = it.data[i];
        int64_t rest = outer;
        for (int d = 2; d < it.ndim; ++d) {
          p += (rest % it.shape[d]) * it.strides[i][d];
          rest /= it.shape[d];
        }
        base[i] = p + i0 * it.strides[i][0];
      }
      const int64_t rows = std::min(kTile, n0 - i0), j_end = std::min(n1, j0 + kTile);
      for (int64_t j = j0; j < j_end; ++j) {
        for (int i = 0; i < it.nops; ++i) ptrs[i] = base[i] + j * it.strides[i][1];
        loop(ptrs, inner_strides, rows);
      }
    }
  });
  return true;
}

template <class Loop>
void for_each(const TensorIter& it, const Loop& loop, int64_t grain = kGrainSize) {
  DG_CHECK(it.ndim < 32, Error, "tensors with more than 31 dimensions are not supported by the loop engine");
  if (it.numel == 0) return;
  if (tiled_for_each(it, loop, grain)) return;
  parallel_for(0, it.numel, grain, [&](int64_t b, int64_t e) { serial_for_each(it, loop, b, e); });
}

// ---- loops from functors ----------------------------------------------------------

template <class T>
inline T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// An elementwise loop computing out_t = f(in_t...) where every input has the
// same type in_t.
template <class out_t, class in_t, int N, class F>
struct ElementwiseLoop {
  F f;
  void operator()(char** data, const int64_t* s, int64_t n) const { run(data, s, n, std::make_index_sequence<N>()); }

 private:
  template <size_t... I>
  void run(char** data, const int64_t* s, int64_t n, std::index_sequence<I...>) const {
    constexpr int64_t so = sizeof(out_t), si = sizeof(in_t);
    out_t* __restrict__ out = reinterpret_cast<out_t*>(data[0]);
    const bool contiguous = s[0] == so && ((s[I + 1] == si) && ...);
    if (contiguous) {
      const in_t* in[N] = {reinterpret_cast<const in_t*>(data[I + 1])...};
      for (int64_t k = 0; k < n; ++k) out[k] = f(in[I][k]...);
      return;
    }
    if constexpr (N == 2) {
      if (s[0] == so && s[1] == si && s[2] == 0) {  // tensor op broadcast scalar
        const in_t* a = reinterpret_cast<const in_t*>(data[1]);
        const in_t b = load<in_t>(data[2]);
        for (int64_t k = 0; k < n; ++k) out[k] = f(a[k], b);
        return;
      }
      if (s[0] == so && s[1] == 0 && s[2] == si) {
        const in_t a = load<in_t>(data[1]);
        const in_t* b = reinterpret_cast<const in_t*>(data[2]);
        for (int64_t k = 0; k < n; ++k) out[k] = f(a, b[k]);
        return;
      }
    }
    if constexpr (N == 3) {  // where(cond, a, b) with any of them a broadcast scalar
      unsigned scalars = 0;
      bool dense = s[0] == so;
      for (int i = 0; i < N; ++i) {
        if (s[i + 1] == 0) scalars |= 1u << i;
        else dense = dense && s[i + 1] == si;
      }
      if (dense) {
        switch (scalars) {
          case 1: return run_with_scalars<1>(data, n, std::index_sequence<I...>());
          case 2: return run_with_scalars<2>(data, n, std::index_sequence<I...>());
          case 3: return run_with_scalars<3>(data, n, std::index_sequence<I...>());
          case 4: return run_with_scalars<4>(data, n, std::index_sequence<I...>());
          case 5: return run_with_scalars<5>(data, n, std::index_sequence<I...>());
          case 6: return run_with_scalars<6>(data, n, std::index_sequence<I...>());
          default: break;  // all scalars: the strided loop below
        }
      }
    }
    for (int64_t k = 0; k < n; ++k) {
      out_t r = f(load<in_t>(data[I + 1] + k * s[I + 1])...);
      std::memcpy(data[0] + k * s[0], &r, sizeof(out_t));
    }
  }

  // Dense output and inputs, except the inputs in kScalars (bit i: input i), read once.
  template <unsigned kScalars, size_t... I>
  void run_with_scalars(char** data, int64_t n, std::index_sequence<I...>) const {
    out_t* __restrict__ out = reinterpret_cast<out_t*>(data[0]);
    const in_t* in[N] = {reinterpret_cast<const in_t*>(data[I + 1])...};
    const in_t value[N] = {load<in_t>(data[I + 1])...};
    for (int64_t k = 0; k < n; ++k) out[k] = f(((kScalars >> I) & 1u ? value[I] : in[I][k])...);
  }
};

// Runs f over the iterator: the output gets f's result type converted to
// out_t; inputs are read as in_t.
template <class out_t, class in_t, int N, class F>
void elementwise(const TensorIter& it, const F& f) {
  for_each(it, ElementwiseLoop<out_t, in_t, N, F>{f});
}

}  // namespace dg::cpu

namespace dg::cpu {

// The CPU's loops as the policy of kernels/elementwise_kernels.h.
struct CpuLoop {
  template <class out_t, class in_t, int N, class F>
  static void elementwise(const TensorIter& it, const F& f) {
    cpu::elementwise<out_t, in_t, N>(it, f);
  }
  template <class T, class Gen>
  static void generate(TensorIter& it, const Gen& gen) {
    T* out = reinterpret_cast<T*>(it.data[0]);
    parallel_for(0, it.numel, kGrainSize / 8, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = gen(i);
    });
  }
  static bool copy_bytes(TensorIter& it) {
    const int64_t size = itemsize(it.dtypes[0]);
    parallel_for(0, it.numel, kGrainSize * 4, [&](int64_t b, int64_t e) {
      std::memcpy(it.data[0] + b * size, it.data[1] + b * size, static_cast<size_t>((e - b) * size));
    });
    return true;
  }
};

}  // namespace dg::cpu
