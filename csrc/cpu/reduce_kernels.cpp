// CPU reductions over a ReduceIter. Each output element reduces its slice
// (an inner contiguous row becomes a tight loop); outputs are split across
// threads, or, for one output, the reduction itself is split into partial
// results that are combined.
#include "core/dispatch.h"
#include "cpu/loop.h"
#include "dyngraph/ops.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

// Accumulates in a wide type: double for floats, int64 for integers.
template <class T> struct acc { using type = double; };
template <> struct acc<bool> { using type = int64_t; };
template <> struct acc<uint8_t> { using type = int64_t; };
template <> struct acc<int8_t> { using type = int64_t; };
template <> struct acc<int16_t> { using type = int64_t; };
template <> struct acc<int32_t> { using type = int64_t; };
template <> struct acc<int64_t> { using type = int64_t; };
template <> struct acc<complex64_t> { using type = complex128_t; };
template <> struct acc<complex128_t> { using type = complex128_t; };

// Sum of elements [begin, end) of the reduction space starting at base.
template <class T, class A>
A sum_range(const ReduceIter& it, const char* base, int64_t begin, int64_t end) {
  const int nd = static_cast<int>(it.red_shape.size());
  if (nd == 0) return begin < end ? convert<A>(load<T>(base)) : A(0);
  const int64_t inner = it.red_shape[nd - 1], istride = it.red_strides[nd - 1];
  int64_t idx[32] = {0};
  int64_t rest = begin / inner, i0 = begin % inner;
  for (int d = nd - 2; d >= 0; --d) {
    idx[d] = rest % it.red_shape[d];
    rest /= it.red_shape[d];
  }
  A total(0);
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = std::min(inner - i0, end - pos);
    const char* p = base + i0 * istride;
    for (int d = 0; d < nd - 1; ++d) p += idx[d] * it.red_strides[d];
    A s(0);
    if (istride == static_cast<int64_t>(sizeof(T))) {
      const T* q = reinterpret_cast<const T*>(p);
      for (int64_t k = 0; k < n; ++k) s = s + convert<A>(q[k]);
    } else {
      for (int64_t k = 0; k < n; ++k) s = s + convert<A>(load<T>(p + k * istride));
    }
    total = total + s;
    pos += n;
    i0 = 0;
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < it.red_shape[d]) break;
      idx[d] = 0;
    }
  }
  return total;
}

const char* output_base(const ReduceIter& it, int64_t o, char** out_ptr) {
  const char* in = it.input.impl()->data();
  char* out = it.output.impl()->data();
  for (int d = static_cast<int>(it.out_shape.size()) - 1; d >= 0; --d) {
    int64_t i = o % it.out_shape[d];
    o /= it.out_shape[d];
    in += i * it.out_in_strides[d];
    out += i * it.out_strides[d];
  }
  *out_ptr = out;
  return in;
}

void sum_kernel(ReduceIter& it) {
  DG_DISPATCH_ALL(it.input.dtype(), "sum", [&] {
    using T = scalar_t;
    using A = typename acc<T>::type;
    DG_DISPATCH_ALL(it.output.dtype(), "sum", [&] {
      using O = scalar_t;
      if (it.out_numel == 1 && it.red_numel > kGrainSize) {
        // One output: split the reduction, combine the partial sums.
        int nt = dg::get_num_threads();
        std::vector<A> partial(static_cast<size_t>(nt), A(0));
        const char* base = it.input.impl()->data();
        int64_t chunk = (it.red_numel + nt - 1) / nt;
        parallel_for(0, nt, 0, [&](int64_t b, int64_t e) {
          for (int64_t t = b; t < e; ++t)
            partial[static_cast<size_t>(t)] =
                sum_range<T, A>(it, base, t * chunk, std::min(it.red_numel, (t + 1) * chunk));
        });
        A total(0);
        for (auto& p : partial) total = total + p;
        *reinterpret_cast<O*>(it.output.impl()->data()) = convert<O>(total);
        return;
      }
      int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, it.red_numel));
      parallel_for(0, it.out_numel, grain, [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) {
          char* out;
          const char* base = output_base(it, o, &out);
          O v = convert<O>(sum_range<T, A>(it, base, 0, it.red_numel));
          std::memcpy(out, &v, sizeof(O));
        }
      });
    });
  });
}

}  // namespace

void register_reduce_kernels(KernelTable& t) { t.sum = &sum_kernel; }

}  // namespace dg::cpu
