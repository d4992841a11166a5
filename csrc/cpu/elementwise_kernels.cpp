// CPU kernels for the elementwise table (kernels/elementwise_ops.h), copy
// and fill: each is the shared functor run by the loop engine in cpu/loop.h.
#include <cstring>

#include "core/dispatch.h"
#include "cpu/loop.h"
#include "kernels/convert.h"
#include "kernels/elementwise_ops.h"

namespace dg::cpu {

namespace {

// Runs body<T>() for the dtype, over every dtype or over the non-complex ones.
#define DG_DISPATCH_FOR(kAllowComplex, D, NAME, ...)        \
  do {                                                      \
    if constexpr (kAllowComplex) DG_DISPATCH_ALL(D, NAME, __VA_ARGS__); \
    else DG_DISPATCH_REAL(D, NAME, __VA_ARGS__);            \
  } while (0)

template <template <class> class Op, bool kBoolResult, bool kAllowComplex>
void binary_kernel(TensorIter& it, const Scalar& alpha) {
  DG_DISPATCH_FOR(kAllowComplex, it.dtypes[1], "binary op", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    using out_t = std::conditional_t<kBoolResult, bool, T>;
    Op<M> op{{alpha.to<M>()}};
    elementwise<out_t, T, 2>(it, op);
  });
}

template <template <class> class Op, bool kBoolResult, bool kAllowComplex>
void binary_scalar_kernel(TensorIter& it, const Scalar& alpha, const Scalar& other, bool reversed) {
  DG_DISPATCH_FOR(kAllowComplex, it.dtypes[1], "binary op", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    using out_t = std::conditional_t<kBoolResult, bool, T>;
    Op<M> op{{alpha.to<M>()}};
    // The scalar is first rounded to T, as PyTorch wraps it in a tensor of the compute dtype.
    M s = static_cast<M>(other.to<T>());
    if (reversed)
      elementwise<out_t, T, 1>(it, ops::BindFirst<Op<M>, M>{op, s});
    else
      elementwise<out_t, T, 1>(it, ops::BindSecond<Op<M>, M>{op, s});
  });
}

template <template <class> class Op, bool kAllowComplex>
void unary_kernel(TensorIter& it) {
  DG_DISPATCH_FOR(kAllowComplex, it.dtypes[1], "unary op", [&] {
    using T = scalar_t;
    elementwise<T, T, 1>(it, Op<opmath_t<T>>{});
  });
}

void copy_kernel(TensorIter& it) {
  if (it.dtypes[0] == it.dtypes[1] && it.is_contiguous()) {
    const int64_t size = itemsize(it.dtypes[0]);
    parallel_for(0, it.numel, kGrainSize * 4, [&](int64_t b, int64_t e) {
      std::memcpy(it.data[0] + b * size, it.data[1] + b * size, static_cast<size_t>((e - b) * size));
    });
    return;
  }
  DG_DISPATCH_ALL(it.dtypes[0], "copy_", [&] {
    using out_t = scalar_t;
    DG_DISPATCH_ALL(it.dtypes[1], "copy_", [&] {
      using in_t = scalar_t;
      elementwise<out_t, in_t, 1>(it, [](in_t v) { return convert<out_t>(v); });
    });
  });
}

void fill_kernel(TensorIter& it, const Scalar& value) {
  DG_DISPATCH_ALL(it.dtypes[0], "fill_", [&] {
    using T = scalar_t;
    const T v = value.to<T>();
    for_each(it, [v](char** data, const int64_t* s, int64_t n) {
      if (s[0] == static_cast<int64_t>(sizeof(T))) {
        T* out = reinterpret_cast<T*>(data[0]);
        for (int64_t k = 0; k < n; ++k) out[k] = v;
      } else {
        for (int64_t k = 0; k < n; ++k) std::memcpy(data[0] + k * s[0], &v, sizeof(T));
      }
    });
  });
}

constexpr bool kAll = true, kReal = false;
constexpr bool kBoolRes = true, kSameRes = false;
#define DG_DTYPES_ALL kAll
#define DG_DTYPES_REAL kReal
#define DG_RESULT_BOOL kBoolRes
#define DG_RESULT_SAME kSameRes

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
#define DG_REGISTER_BINARY(name, Functor, dtypes, result)                                  \
  t.binary[static_cast<int>(BinaryOp::name)] =                                             \
      &binary_kernel<ops::Functor, DG_RESULT_##result, DG_DTYPES_##dtypes>;                \
  t.binary_scalar[static_cast<int>(BinaryOp::name)] =                                      \
      &binary_scalar_kernel<ops::Functor, DG_RESULT_##result, DG_DTYPES_##dtypes>;
  DG_BINARY_OPS(DG_REGISTER_BINARY)
#undef DG_REGISTER_BINARY
#define DG_REGISTER_UNARY(name, Functor, dtypes) \
  t.unary[static_cast<int>(UnaryOp::name)] = &unary_kernel<ops::Functor, DG_DTYPES_##dtypes>;
  DG_UNARY_OPS(DG_REGISTER_UNARY)
#undef DG_REGISTER_UNARY
  t.copy = &copy_kernel;
  t.fill = &fill_kernel;
}

}  // namespace dg::cpu
