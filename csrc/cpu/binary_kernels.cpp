// CPU kernels for the binary op table (kernels/elementwise_ops.h): each is
// the shared functor run by the loop engine in cpu/loop.h, for two tensors
// or for a tensor and a Python scalar on either side.
#include "core/dispatch.h"
#include "cpu/loop.h"
#include "kernels/elementwise_ops.h"

namespace dg::cpu {

namespace {

enum class Dtypes { ALL, REAL, FLOAT, INT };

// Calls body.template operator()<T>() for the C++ type of d, compiling only
// the dtypes the op supports.
template <Dtypes kDtypes, class Body>
void dispatch(Dtype d, const Body& body) {
  if constexpr (kDtypes == Dtypes::ALL) {
    DG_DISPATCH_ALL(d, "binary op", [&] { body(scalar_t()); });
  } else if constexpr (kDtypes == Dtypes::REAL) {
    DG_DISPATCH_REAL(d, "binary op", [&] { body(scalar_t()); });
  } else if constexpr (kDtypes == Dtypes::FLOAT) {
    DG_DISPATCH_FLOATING(d, "binary op", [&] { body(scalar_t()); });
  } else {
    DG_DISPATCH_INTEGRAL(d, "binary op", [&] { body(scalar_t()); });
  }
}

template <template <class> class Op, bool kBoolResult, Dtypes kDtypes>
void binary_kernel(TensorIter& it, const Scalar& alpha) {
  dispatch<kDtypes>(it.dtypes[1], [&](auto tag) {
    using T = decltype(tag);
    using M = opmath_t<T>;
    using out_t = std::conditional_t<kBoolResult, bool, T>;
    Op<M> op{{alpha.to<M>()}};
    elementwise<out_t, T, 2>(it, op);
  });
}

template <template <class> class Op, bool kBoolResult, Dtypes kDtypes>
void binary_scalar_kernel(TensorIter& it, const Scalar& alpha, const Scalar& other, bool reversed) {
  dispatch<kDtypes>(it.dtypes[1], [&](auto tag) {
    using T = decltype(tag);
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

void where_kernel(TensorIter& it) {
  DG_DISPATCH_ALL(it.dtypes[0], "where", [&] {
    using T = scalar_t;
    elementwise<T, T, 3>(it, [](T c, T a, T b) { return convert<bool>(c) ? a : b; });
  });
}

constexpr bool kBoolRes = true, kSameRes = false;
#define DG_RESULT_BOOL kBoolRes
#define DG_RESULT_SAME kSameRes

}  // namespace

void register_binary_kernels(KernelTable& t) {
#define DG_REGISTER_BINARY(name, Functor, dtypes, result)                                        \
  t.binary[static_cast<int>(BinaryOp::name)] =                                                   \
      &binary_kernel<ops::Functor, DG_RESULT_##result, Dtypes::dtypes>;                          \
  t.binary_scalar[static_cast<int>(BinaryOp::name)] =                                            \
      &binary_scalar_kernel<ops::Functor, DG_RESULT_##result, Dtypes::dtypes>;
  DG_BINARY_OPS(DG_REGISTER_BINARY)
#undef DG_REGISTER_BINARY
  t.where = &where_kernel;
}

}  // namespace dg::cpu
