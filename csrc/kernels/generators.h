// Functors out[i] = gen(i) for random fills and ranges, shared by the CPU and
// CUDA kernels. Element i of a random op uses Philox counter (offset + i), so
// the numbers do not depend on the thread or block split, nor on the device.
#pragma once

#include <cmath>
#include <type_traits>

#include "kernels/convert.h"
#include "kernels/philox.h"

namespace dg::gen {

template <class T>
struct Uniform {
  uint64_t seed, offset;
  double from, to;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
    if constexpr (std::is_same<T, double>::value) return from + (to - from) * uniform_double(r.v[0], r.v[1]);
    else return T(static_cast<float>(from + (to - from) * uniform_float(r.v[0])));
  }
};

template <class T>
struct Normal {
  uint64_t seed, offset;
  double mean, std;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    return convert<T>(mean + std * normal_double(philox4x32(offset + static_cast<uint64_t>(i), seed)));
  }
};

template <class T>
struct BernoulliScalar {
  uint64_t seed, offset;
  double p;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
    return convert<T>(uniform_double(r.v[0], r.v[1]) < p ? 1 : 0);
  }
};

// p: dense probabilities in T, one per output element.
template <class T>
struct BernoulliTensor {
  uint64_t seed, offset;
  const T* p;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
    return convert<T>(uniform_double(r.v[0], r.v[1]) < static_cast<double>(p[i]) ? 1 : 0);
  }
};

// Integers uniformly in [low, low + range).
template <class T>
struct Randint {
  uint64_t seed, offset;
  int64_t low;
  uint64_t range;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
    uint64_t bits = static_cast<uint64_t>(r.v[0]) << 32 | r.v[1];
    return convert<T>(low + static_cast<int64_t>(bits % range));
  }
};

// start + i * step, in int64 for integer outputs and double otherwise.
template <class T>
struct Arange {
  using Step = std::conditional_t<std::is_integral<T>::value, int64_t, double>;
  Step start, step;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    if constexpr (std::is_integral<T>::value) return static_cast<T>(start + i * step);
    else return convert<T>(start + static_cast<double>(i) * step);
  }
};

// PyTorch's symmetric linspace: from the start for the first half, from the
// end after, so both ends are exact.
template <class T>
struct Linspace {
  double a, b, step;
  int64_t steps;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    const int64_t half = steps / 2;
    double v = (i < half || steps == 1) ? a + step * static_cast<double>(i) : b - step * static_cast<double>(steps - 1 - i);
    if (std::is_integral<T>::value) v = std::trunc(v);
    return convert<T>(v);
  }
};
// Complex linspace: both parts from the start.
template <class T>
struct ComplexLinspace {
  double a_re, a_im, step_re, step_im;
  DG_HOST_DEVICE T operator()(int64_t i) const {
    using R = decltype(T().re);
    double k = static_cast<double>(i);
    return T(static_cast<R>(a_re + k * step_re), static_cast<R>(a_im + k * step_im));
  }
};

}  // namespace dg::gen
