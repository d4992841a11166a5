// Pieces of the resampling kernels shared by the CPU and CUDA backends: the
// type the tap weights are stored in, and weight times value for real and
// complex data (a complex value scales by a real weight, part by part).
#pragma once

#include <type_traits>

#include "kernels/convert.h"

namespace dg {

// Weights are float32 unless the data is float64 or complex128 (PyTorch
// computes them in the opmath type too).
template <class T> struct resample_weight { using type = float; };
template <> struct resample_weight<double> { using type = double; };
template <> struct resample_weight<complex128_t> { using type = double; };
template <class T> using resample_weight_t = typename resample_weight<T>::type;

template <class A, class W>
DG_HOST_DEVICE inline A scaled_by(A value, W weight) {
  if constexpr (is_complex_t<A>::value) return A(value.re * weight, value.im * weight);
  else return value * static_cast<A>(weight);
}

}  // namespace dg
