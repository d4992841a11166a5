// CPU reductions over a ReduceIter. Each output element reduces its slice
// (an inner contiguous row becomes a tight loop); outputs are split across
// threads, or, for a single output, the reduction itself is split into
// partial results that are merged. A Reducer says how values combine:
//   init(), step(acc, x), merge(acc, acc), and the accumulator type.
#include <limits>
#include <memory>
#include <type_traits>

#include "core/dispatch.h"
#include "dyngraph/settings.h"
#include "cpu/loop.h"
#include "cpu/vector_kernels.h"
#include "kernels/convert.h"
#include "kernels/reducers.h"

namespace dg::cpu {

namespace {

template <class T> using SumR = reducers::Sum<T>;
template <class T> using NanSumR = reducers::NanSum<T>;
template <class T> using ProdR = reducers::Prod<T>;
template <class T> using MaxR = reducers::Max<T>;
template <class T> using MinR = reducers::Min<T>;
template <class T> using AllR = reducers::All<T>;
template <class T> using AnyR = reducers::Any<T>;

// Walks elements [begin, end) of the reduction space from base, calling f(ptr, n, stride) per row.
template <class F>
void for_rows(const ReduceIter& it, const char* base, int64_t begin, int64_t end, const F& f) {
  const int nd = static_cast<int>(it.red_shape.size());
  if (nd == 0) {
    if (begin < end) f(base, 1, 0, 0);
    return;
  }
  const int64_t inner = it.red_shape[nd - 1], istride = it.red_strides[nd - 1];
  int64_t idx[32] = {0};
  int64_t rest = begin / inner, i0 = begin % inner;
  for (int d = nd - 2; d >= 0; --d) {
    idx[d] = rest % it.red_shape[d];
    rest /= it.red_shape[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = std::min(inner - i0, end - pos);
    const char* p = base + i0 * istride;
    for (int d = 0; d < nd - 1; ++d) p += idx[d] * it.red_strides[d];
    f(p, n, istride, pos);
    pos += n;
    i0 = 0;
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < it.red_shape[d]) break;
      idx[d] = 0;
    }
  }
}

template <class R, class T>
typename R::A reduce_range(const ReduceIter& it, const char* base, int64_t begin, int64_t end) {
  using A = typename R::A;
  A total = R::init();
  for_rows(it, base, begin, end, [&](const char* p, int64_t n, int64_t stride, int64_t) {
    A s = R::init();
    if constexpr (std::is_same_v<R, SumR<float>>) {
      if (stride == static_cast<int64_t>(sizeof(float))) {
        total = R::merge(total, vector_kernels().sum_f32(reinterpret_cast<const float*>(p), n));
        return;
      }
    }
    if (stride == static_cast<int64_t>(sizeof(T))) {
      // Eight independent accumulators: the loop vectorizes, and sums are
      // more accurate than one running total (closer to pairwise).
      const T* q = reinterpret_cast<const T*>(p);
      constexpr int kLanes = 8;
      A lanes[kLanes];
      for (int l = 0; l < kLanes; ++l) lanes[l] = R::init();
      int64_t k = 0;
      for (; k + kLanes <= n; k += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] = R::step(lanes[l], q[k + l]);
      for (int l = 0; l < kLanes; ++l) s = R::merge(s, lanes[l]);
      for (; k < n; ++k) s = R::step(s, q[k]);
    } else {
      for (int64_t k = 0; k < n; ++k) s = R::step(s, load<T>(p + k * stride));
    }
    total = R::merge(total, s);
  });
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

// True when the input is (rows, K) row-major with the rows reduced and the
// K kept elements dense (a reduction over leading dims, e.g. mean(dim=0)).
bool is_column_reduction(const ReduceIter& it, int64_t itemsz) {
  if (it.red_shape.size() != 1 || it.out_numel < 2) return false;
  int64_t expected = itemsz;
  for (size_t d = it.out_shape.size(); d-- > 0;) {
    if (it.out_shape[d] != 1 && it.out_in_strides[d] != expected) return false;
    expected *= it.out_shape[d];
  }
  return it.red_strides[0] == expected;
}

template <template <class> class Reducer, class T, class O>
void run_reduce(ReduceIter& it) {
  using R = Reducer<T>;
  using A = typename R::A;
  if (is_column_reduction(it, sizeof(T)) && it.output.is_contiguous()) {
    // Whole rows at a time: each thread owns a range of columns and walks
    // the rows, so memory is read in order and the inner loop vectorizes.
    const int64_t rows = it.red_shape[0], cols = it.out_numel;
    const T* in = reinterpret_cast<const T*>(it.input.impl()->data());
    O* out = reinterpret_cast<O*>(it.output.impl()->data());
    parallel_for(0, cols, 1024, [&](int64_t c0, int64_t c1) {
      std::unique_ptr<A[]> acc(new A[static_cast<size_t>(c1 - c0)]);  // not vector<bool>
      for (int64_t c = 0; c < c1 - c0; ++c) acc[c] = R::init();
      for (int64_t r = 0; r < rows; ++r) {
        const T* row = in + r * cols + c0;
        for (int64_t c = 0; c < c1 - c0; ++c) acc[c] = R::step(acc[c], row[c]);
      }
      for (int64_t c = c0; c < c1; ++c) out[c] = convert<O>(acc[c - c0]);
    });
    return;
  }
  if (it.out_numel == 1 && it.red_numel > kGrainSize) {
    // One output: split the reduction, merge the partial results.
    int nt = dg::get_num_threads();
    std::unique_ptr<A[]> partial(new A[static_cast<size_t>(nt)]);  // not vector<bool>: A may be bool
    for (int t = 0; t < nt; ++t) partial[t] = R::init();
    const char* base = it.input.impl()->data();
    int64_t chunk = (it.red_numel + nt - 1) / nt;
    parallel_for(0, nt, 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t)
        partial[static_cast<size_t>(t)] =
            reduce_range<R, T>(it, base, std::min(it.red_numel, t * chunk), std::min(it.red_numel, (t + 1) * chunk));
    });
    A total = R::init();
    for (int t = 0; t < nt; ++t) total = R::merge(total, partial[t]);
    *reinterpret_cast<O*>(it.output.impl()->data()) = convert<O>(total);
    return;
  }
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, it.red_numel));
  parallel_for(0, it.out_numel, grain, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      char* out;
      const char* base = output_base(it, o, &out);
      O v = convert<O>(reduce_range<R, T>(it, base, 0, it.red_numel));
      std::memcpy(out, &v, sizeof(O));
    }
  });
}

// Input dtype dispatch for one reducer; the output dtype is the input's, or
// int64 (integer and bool sums), or bool/uint8 (all/any): the pairs that
// reduce_kernel_supports() names. The op casts the input first for any
// other pair, so each reducer compiles 4 loops per input dtype, not 13.
template <template <class> class Reducer, bool kComplex>
void reduce_kernel(ReduceIter& it) {
  auto body = [&](auto in_tag) {
    using T = decltype(in_tag);
    switch (it.output.dtype()) {
      case kInt64: return run_reduce<Reducer, T, int64_t>(it);
      case kBool: return run_reduce<Reducer, T, bool>(it);
      case kUInt8: return run_reduce<Reducer, T, uint8_t>(it);
      default:
        DG_CHECK(it.output.dtype() == it.input.dtype(), Error, "reduce: no CPU kernel from ",
                 dtype_name(it.input.dtype()), " to ", dtype_name(it.output.dtype()));
        return run_reduce<Reducer, T, T>(it);
    }
  };
  if constexpr (kComplex) {
    DG_DISPATCH_ALL(it.input.dtype(), "reduce", [&] { body(scalar_t()); });
  } else {
    DG_DISPATCH_REAL(it.input.dtype(), "reduce", [&] { body(scalar_t()); });
  }
}

// Index (in the logical order of the reduced dims) of the max/min; the first
// one on ties, NaN wins.
template <class T, bool kMax>
void arg_reduce(ReduceIter& it) {
  using M = opmath_t<T>;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, it.red_numel));
  parallel_for(0, it.out_numel, grain, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      char* out;
      const char* base = output_base(it, o, &out);
      M best = kMax ? MaxR<T>::init() : MinR<T>::init();
      int64_t best_i = 0;
      bool nan_found = false;
      for_rows(it, base, 0, it.red_numel, [&](const char* p, int64_t n, int64_t stride, int64_t pos) {
        for (int64_t k = 0; k < n && !nan_found; ++k) {
          M x = static_cast<M>(load<T>(p + k * stride));
          if (x != x) {
            best = x;
            best_i = pos + k;
            nan_found = true;
          } else if (kMax ? x > best : x < best) {
            best = x;
            best_i = pos + k;
          }
        }
      });
      std::memcpy(out, &best_i, sizeof(int64_t));
    }
  });
}
template <bool kMax>
void arg_kernel(ReduceIter& it) {
  DG_DISPATCH_REAL(it.input.dtype(), "argmax", [&] { arg_reduce<scalar_t, kMax>(it); });
}

}  // namespace

void register_reduce_kernels(KernelTable& t) {
  t.reduce[static_cast<int>(ReduceOp::sum)] = &reduce_kernel<SumR, true>;
  t.reduce[static_cast<int>(ReduceOp::nansum)] = &reduce_kernel<NanSumR, false>;
  t.reduce[static_cast<int>(ReduceOp::prod)] = &reduce_kernel<ProdR, true>;
  t.reduce[static_cast<int>(ReduceOp::amax)] = &reduce_kernel<MaxR, false>;
  t.reduce[static_cast<int>(ReduceOp::amin)] = &reduce_kernel<MinR, false>;
  t.reduce[static_cast<int>(ReduceOp::all)] = &reduce_kernel<AllR, true>;
  t.reduce[static_cast<int>(ReduceOp::any)] = &reduce_kernel<AnyR, true>;
  t.reduce[static_cast<int>(ReduceOp::argmax)] = &arg_kernel<true>;
  t.reduce[static_cast<int>(ReduceOp::argmin)] = &arg_kernel<false>;
}

}  // namespace dg::cpu
