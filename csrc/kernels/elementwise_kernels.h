// The elementwise kernels of every backend, written once: dtype dispatch and
// functor choice live here, and a backend supplies only its loops through a
// Loop policy:
//   Loop::elementwise<Out, In, N>(it, f)  out = f(in...) over a TensorIter
//   Loop::generate<T>(it, g)              out[i] = g(i) over a dense output
//   Loop::copy_bytes(it)                  a same-dtype dense copy; false: not done
// cpu/ and cuda/ each instantiate it with their loops.
#pragma once

#include <type_traits>

#include "core/dispatch.h"
#include "kernels/convert.h"
#include "kernels/elementwise_ops.h"
#include "kernels/generators.h"
#include "kernels/math.h"

namespace dg::kernels {

enum class Dtypes { ALL, REAL, FLOAT, INT };

// Calls body(T()) for the C++ type of d, compiling only the dtypes an op supports.
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

// The output type of a unary functor on T: bool for predicates, the real
// type for |complex|, otherwise T itself.
template <class T, class R>
using unary_out_t = std::conditional_t<std::is_same<R, bool>::value, bool,
                                       std::conditional_t<is_complex_t<T>::value && !is_complex_t<R>::value,
                                                          math::real_of_t<T>, T>>;

// The value conversion of copy_ (M: the source's compute type).
template <class Out, class M>
struct Cast {
  DG_HOST_DEVICE Out operator()(M v) const { return convert<Out>(v); }
};
template <class T>
struct Constant {
  T v;
  DG_HOST_DEVICE T operator()() const { return v; }
};
template <class T>
struct Select {
  DG_HOST_DEVICE T operator()(T c, T a, T b) const { return convert<bool>(c) ? a : b; }
};

template <class Loop>
struct ElementwiseKernels {
  template <template <class> class Op, bool kBoolResult, Dtypes kDtypes>
  static void binary(TensorIter& it, const Scalar& alpha) {
    dispatch<kDtypes>(it.dtypes[1], [&](auto tag) {
      using T = decltype(tag);
      using M = opmath_t<T>;
      using out_t = std::conditional_t<kBoolResult, bool, T>;
      Op<M> op{{alpha.to<M>()}};
      Loop::template elementwise<out_t, T, 2>(it, op);
    });
  }

  template <template <class> class Op, bool kBoolResult, Dtypes kDtypes>
  static void binary_scalar(TensorIter& it, const Scalar& alpha, const Scalar& other, bool reversed) {
    dispatch<kDtypes>(it.dtypes[1], [&](auto tag) {
      using T = decltype(tag);
      using M = opmath_t<T>;
      using out_t = std::conditional_t<kBoolResult, bool, T>;
      Op<M> op{{alpha.to<M>()}};
      // The scalar is first rounded to T, as PyTorch wraps it in a tensor of the compute dtype.
      M s = static_cast<M>(other.to<T>());
      if (reversed)
        Loop::template elementwise<out_t, T, 1>(it, ops::BindFirst<Op<M>, M>{op, s});
      else
        Loop::template elementwise<out_t, T, 1>(it, ops::BindSecond<Op<M>, M>{op, s});
    });
  }

  static void where(TensorIter& it) {
    DG_DISPATCH_ALL(it.dtypes[0], "where", [&] { Loop::template elementwise<scalar_t, scalar_t, 3>(it, Select<scalar_t>()); });
  }

  template <template <class> class Op, class T>
  static void run_unary(TensorIter& it, const ops::UnaryParams& params) {
    using M = opmath_t<T>;
    Op<M> op;
    static_cast<ops::UnaryParams&>(op) = params;
    using R = decltype(op(M()));
    Loop::template elementwise<unary_out_t<T, R>, T, 1>(it, op);
  }

  // One kernel per (op, kind): the kind decides which dtypes are compiled.
  template <template <class> class Op, UnaryKind kKind>
  static void unary(TensorIter& it, const ops::UnaryParams& params) {
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

  static void copy(TensorIter& it) {
    if (it.dtypes[0] == it.dtypes[1] && it.is_contiguous() && Loop::copy_bytes(it)) return;
    DG_DISPATCH_ALL(it.dtypes[0], "copy_", [&] {
      using out_t = scalar_t;
      DG_DISPATCH_ALL(it.dtypes[1], "copy_", [&] { Loop::template elementwise<out_t, scalar_t, 1>(it, Cast<out_t, opmath_t<scalar_t>>()); });
    });
  }

  static void fill(TensorIter& it, const Scalar& value) {
    DG_DISPATCH_ALL(it.dtypes[0], "fill_", [&] {
      using T = scalar_t;
      Loop::template elementwise<T, T, 0>(it, Constant<opmath_t<T>>{static_cast<opmath_t<T>>(value.to<T>())});
    });
  }

  static void uniform(TensorIter& it, uint64_t seed, uint64_t offset, double from, double to) {
    DG_DISPATCH_FLOATING(it.dtypes[0], "uniform_", [&] {
      Loop::template generate<scalar_t>(it, gen::Uniform<scalar_t>{seed, offset, from, to});
    });
  }
  static void normal(TensorIter& it, uint64_t seed, uint64_t offset, double mean, double std) {
    DG_DISPATCH_FLOATING(it.dtypes[0], "normal_", [&] {
      Loop::template generate<scalar_t>(it, gen::Normal<scalar_t>{seed, offset, mean, std});
    });
  }
  static void bernoulli_scalar(TensorIter& it, uint64_t seed, uint64_t offset, double p, double) {
    DG_DISPATCH_REAL(it.dtypes[0], "bernoulli_", [&] {
      Loop::template generate<scalar_t>(it, gen::BernoulliScalar<scalar_t>{seed, offset, p});
    });
  }
  // Input 1 holds the probabilities, dense, in the output's dtype.
  static void bernoulli_tensor(TensorIter& it, uint64_t seed, uint64_t offset, double, double) {
    DG_DISPATCH_FLOATING(it.dtypes[0], "bernoulli", [&] {
      using T = scalar_t;
      Loop::template generate<T>(it, gen::BernoulliTensor<T>{seed, offset, reinterpret_cast<const T*>(it.data[1])});
    });
  }
  static void randint(TensorIter& it, uint64_t seed, uint64_t offset, double low_d, double high_d) {
    const int64_t low = static_cast<int64_t>(low_d);
    const uint64_t range = static_cast<uint64_t>(static_cast<int64_t>(high_d) - low);
    DG_DISPATCH_REAL(it.dtypes[0], "randint", [&] {
      Loop::template generate<scalar_t>(it, gen::Randint<scalar_t>{seed, offset, low, range});
    });
  }

  static void arange(TensorIter& it, const Scalar& start, const Scalar& step) {
    DG_DISPATCH_REAL(it.dtypes[0], "arange", [&] {
      using T = scalar_t;
      using S = typename gen::Arange<T>::Step;
      Loop::template generate<T>(it, gen::Arange<T>{start.to<S>(), step.to<S>()});
    });
  }

  static void linspace(TensorIter& it, const Scalar& start, const Scalar& end, int64_t steps) {
    const double denom = steps > 1 ? static_cast<double>(steps - 1) : 1;
    DG_DISPATCH_ALL(it.dtypes[0], "linspace", [&] {
      using T = scalar_t;
      if constexpr (is_complex_t<T>::value) {
        const complex128_t a = start.to_complex(), b = end.to_complex();
        Loop::template generate<T>(it, gen::ComplexLinspace<T>{a.re, a.im, (b.re - a.re) / denom, (b.im - a.im) / denom});
      } else {
        const double a = start.to_double(), b = end.to_double();
        Loop::template generate<T>(it, gen::Linspace<T>{a, b, (b - a) / denom, steps});
      }
    });
  }

  // Three parts, so a backend can compile them in separate files.
  static void register_binary(KernelTable& t) {
    constexpr bool kBool = true, kSame = false;
#define DG_RESULT_BOOL kBool
#define DG_RESULT_SAME kSame
#define DG_REGISTER_BINARY(name, Functor, dtypes, result)                                                   \
  t.binary[static_cast<int>(BinaryOp::name)] = &binary<ops::Functor, DG_RESULT_##result, Dtypes::dtypes>; \
  t.binary_scalar[static_cast<int>(BinaryOp::name)] = &binary_scalar<ops::Functor, DG_RESULT_##result, Dtypes::dtypes>;
    DG_BINARY_OPS(DG_REGISTER_BINARY)
#undef DG_REGISTER_BINARY
#undef DG_RESULT_BOOL
#undef DG_RESULT_SAME
    t.where = &where;
  }
  static void register_unary(KernelTable& t) {
#define DG_REGISTER_UNARY(name, Functor, kind) \
  t.unary[static_cast<int>(UnaryOp::name)] = &unary<ops::Functor, UnaryKind::kind>;
    DG_UNARY_OPS(DG_REGISTER_UNARY)
#undef DG_REGISTER_UNARY
  }
  static void register_other(KernelTable& t) {
    t.copy = &copy;
    t.fill = &fill;
    t.random[static_cast<int>(RandomOp::uniform)] = &uniform;
    t.random[static_cast<int>(RandomOp::normal)] = &normal;
    t.random[static_cast<int>(RandomOp::bernoulli_scalar)] = &bernoulli_scalar;
    t.random[static_cast<int>(RandomOp::bernoulli_tensor)] = &bernoulli_tensor;
    t.random[static_cast<int>(RandomOp::randint)] = &randint;
    t.arange = &arange;
    t.linspace = &linspace;
  }
};

}  // namespace dg::kernels
