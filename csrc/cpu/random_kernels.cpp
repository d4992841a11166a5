// CPU random and range kernels. Outputs are dense 1-D (the ops ensure it),
// and element i of a random op uses Philox counter (offset + i), so the
// numbers are the same whatever the thread split.
#include <cmath>

#include "core/dispatch.h"
#include "cpu/loop.h"
#include "kernels/convert.h"
#include "kernels/philox.h"

namespace dg::cpu {

namespace {

// Calls out[i] = gen(i) over a dense output in parallel.
template <class T, class Gen>
void generate(TensorIter& it, const Gen& gen) {
  T* out = reinterpret_cast<T*>(it.data[0]);
  parallel_for(0, it.numel, kGrainSize / 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = gen(i);
  });
}

void uniform_kernel(TensorIter& it, uint64_t seed, uint64_t offset, double from, double to) {
  DG_DISPATCH_FLOATING(it.dtypes[0], "uniform_", [&] {
    using T = scalar_t;
    generate<T>(it, [=](int64_t i) {
      Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
      if constexpr (std::is_same<T, double>::value) return from + (to - from) * uniform_double(r.v[0], r.v[1]);
      else return T(static_cast<float>(from + (to - from) * uniform_float(r.v[0])));
    });
  });
}

void normal_kernel(TensorIter& it, uint64_t seed, uint64_t offset, double mean, double std) {
  DG_DISPATCH_FLOATING(it.dtypes[0], "normal_", [&] {
    using T = scalar_t;
    generate<T>(it, [=](int64_t i) {
      return convert<T>(mean + std * normal_double(philox4x32(offset + static_cast<uint64_t>(i), seed)));
    });
  });
}

void bernoulli_scalar_kernel(TensorIter& it, uint64_t seed, uint64_t offset, double p, double) {
  DG_DISPATCH_REAL(it.dtypes[0], "bernoulli_", [&] {
    using T = scalar_t;
    generate<T>(it, [=](int64_t i) {
      Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
      return convert<T>(uniform_double(r.v[0], r.v[1]) < p ? 1 : 0);
    });
  });
}

// Input 1 holds the probabilities, in the output's dtype.
void bernoulli_tensor_kernel(TensorIter& it, uint64_t seed, uint64_t offset, double, double) {
  DG_DISPATCH_FLOATING(it.dtypes[0], "bernoulli", [&] {
    using T = scalar_t;
    const T* p = reinterpret_cast<const T*>(it.data[1]);
    generate<T>(it, [=](int64_t i) {
      Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
      return convert<T>(uniform_double(r.v[0], r.v[1]) < static_cast<double>(p[i]) ? 1 : 0);
    });
  });
}

// Integers uniformly in [low, high).
void randint_kernel(TensorIter& it, uint64_t seed, uint64_t offset, double low_d, double high_d) {
  const int64_t low = static_cast<int64_t>(low_d);
  const uint64_t range = static_cast<uint64_t>(static_cast<int64_t>(high_d) - low);
  DG_DISPATCH_REAL(it.dtypes[0], "randint", [&] {
    using T = scalar_t;
    generate<T>(it, [=](int64_t i) {
      Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
      uint64_t bits = static_cast<uint64_t>(r.v[0]) << 32 | r.v[1];
      return convert<T>(low + static_cast<int64_t>(bits % range));
    });
  });
}

void arange_kernel(TensorIter& it, const Scalar& start, const Scalar& step) {
  DG_DISPATCH_REAL(it.dtypes[0], "arange", [&] {
    using T = scalar_t;
    if constexpr (std::is_integral<T>::value) {
      const int64_t s0 = start.to<int64_t>(), st = step.to<int64_t>();
      generate<T>(it, [=](int64_t i) { return static_cast<T>(s0 + i * st); });
    } else {
      const double s0 = start.to_double(), st = step.to_double();
      generate<T>(it, [=](int64_t i) { return convert<T>(s0 + static_cast<double>(i) * st); });
    }
  });
}

template <class T>
void linspace_fill(TensorIter& it, const Scalar& start, const Scalar& end, int64_t steps) {
  const double denom = steps > 1 ? static_cast<double>(steps - 1) : 1;
  if constexpr (is_complex_t<T>::value) {
    using R = decltype(T().re);
    const complex128_t a = start.to_complex(), b = end.to_complex();
    const double sr = (b.re - a.re) / denom, si = (b.im - a.im) / denom;
    generate<T>(it, [=](int64_t i) {
      double k = static_cast<double>(i);
      return T(static_cast<R>(a.re + k * sr), static_cast<R>(a.im + k * si));
    });
  } else {
    const double a = start.to_double(), b = end.to_double(), step = (b - a) / denom;
    const int64_t half = steps / 2;
    generate<T>(it, [=](int64_t i) {
      double v = (i < half || steps == 1) ? a + step * static_cast<double>(i)
                                          : b - step * static_cast<double>(steps - 1 - i);
      if (std::is_integral<T>::value) v = std::trunc(v);
      return convert<T>(v);
    });
  }
}

void linspace_kernel(TensorIter& it, const Scalar& start, const Scalar& end, int64_t steps) {
  DG_DISPATCH_ALL(it.dtypes[0], "linspace", [&] { linspace_fill<scalar_t>(it, start, end, steps); });
}

}  // namespace

void register_random_kernels(KernelTable& t) {
  t.random[static_cast<int>(RandomOp::uniform)] = &uniform_kernel;
  t.random[static_cast<int>(RandomOp::normal)] = &normal_kernel;
  t.random[static_cast<int>(RandomOp::bernoulli_scalar)] = &bernoulli_scalar_kernel;
  t.random[static_cast<int>(RandomOp::bernoulli_tensor)] = &bernoulli_tensor_kernel;
  t.random[static_cast<int>(RandomOp::randint)] = &randint_kernel;
  t.arange = &arange_kernel;
  t.linspace = &linspace_kernel;
}

}  // namespace dg::cpu
