// CPU kernels for the unary op table (kernels/unary_ops.h and neg/conj).
#include "core/dispatch.h"
#include "cpu/loop.h"
#include "kernels/elementwise_ops.h"
#include "kernels/math.h"

namespace dg::cpu {

namespace {

// The output type of a unary functor on T: bool for predicates, the real
// type for |complex|, otherwise T itself.
template <class T, class R>
using unary_out_t = std::conditional_t<std::is_same<R, bool>::value, bool,
                                       std::conditional_t<is_complex_t<T>::value && !is_complex_t<R>::value,
                                                          math::real_of_t<T>, T>>;

template <template <class> class Op, class T>
void run_unary(TensorIter& it, const ops::UnaryParams& params) {
  using M = opmath_t<T>;
  Op<M> op;
  static_cast<ops::UnaryParams&>(op) = params;
  using R = decltype(op(M()));
  elementwise<unary_out_t<T, R>, T, 1>(it, op);
}

// One kernel per (op, kind): the kind decides which dtypes are compiled.
template <template <class> class Op, UnaryKind kKind>
void unary_kernel(TensorIter& it, const ops::UnaryParams& params) {
  const Dtype d = it.dtypes[1];
  if constexpr (kKind == UnaryKind::FLOAT) {
    switch (d) {
      DG_DISPATCH_FLOAT_CASES([&] { run_unary<Op, scalar_t>(it, params); })
      DG_DISPATCH_COMPLEX_CASES([&] { run_unary<Op, scalar_t>(it, params); })
      DG_DISPATCH_UNSUPPORTED(d, "unary op")
    }
  } else if constexpr (kKind == UnaryKind::FLOAT_R || kKind == UnaryKind::ROUND) {
    DG_DISPATCH_FLOATING(d, "unary op", [&] { run_unary<Op, scalar_t>(it, params); });
  } else if constexpr (kKind == UnaryKind::SAME || kKind == UnaryKind::PRED || kKind == UnaryKind::ABS) {
    DG_DISPATCH_ALL(d, "unary op", [&] { run_unary<Op, scalar_t>(it, params); });
  } else if constexpr (kKind == UnaryKind::INT) {
    DG_DISPATCH_INTEGRAL(d, "unary op", [&] { run_unary<Op, scalar_t>(it, params); });
  } else {  // SAME_R, PRED_R
    DG_DISPATCH_REAL(d, "unary op", [&] { run_unary<Op, scalar_t>(it, params); });
  }
}

}  // namespace

void register_unary_kernels(KernelTable& t) {
#define DG_REGISTER_UNARY(name, Functor, kind) \
  t.unary[static_cast<int>(UnaryOp::name)] = &unary_kernel<ops::Functor, UnaryKind::kind>;
  DG_UNARY_OPS(DG_REGISTER_UNARY)
#undef DG_REGISTER_UNARY
}

}  // namespace dg::cpu
