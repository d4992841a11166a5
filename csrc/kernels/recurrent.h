// One element (batch row n, hidden unit j) of a recurrent cell's time step
// and of its backward (dispatch.h's RecurrentStepArgs), shared by the CPU
// loop and the CUDA kernel. The gate formulas are PyTorch's:
//   LSTM  i, f, o = sigmoid, g = tanh;  c = f c_prev + i g;  h = o tanh(c)
//   GRU   r, z = sigmoid;  n = tanh(x_n + r (W_hn h_prev + b_hn));  h = (1 - z) n + z h_prev
//   RNN   h = tanh or relu(x + W_hh h_prev + b_hh)
#pragma once

#include <type_traits>

#include "core/dispatch.h"
#include "kernels/fast_exp.h"
#include "kernels/math.h"

namespace dg::recurrent {

// float32 gates use the vectorizable sigmoid and tanh (kernels/fast_exp.h).
template <class T>
DG_HOST_DEVICE inline T sigmoid(T x) {
  if constexpr (std::is_same<T, float>::value) return math::sigmoid_fast(x);
  else return math::sigmoid(x);
}
template <class T>
DG_HOST_DEVICE inline T tanh(T x) {
  if constexpr (std::is_same<T, float>::value) return math::tanh_fast(x);
  else return math::tanh(x);
}

DG_HOST_DEVICE constexpr int gates(RecurrentCell cell) {
  return cell == RecurrentCell::kLstm ? 4 : cell == RecurrentCell::kGru ? 3 : 1;
}

// Whether row n is still inside its sequence at this step (always, without lengths).
template <class Args>
DG_HOST_DEVICE inline bool row_running(const Args& a, int64_t n) {
  return a.lengths == nullptr || a.time < a.lengths[n];
}

// A row past its sequence's end keeps its state.
template <class T, RecurrentCell Cell>
DG_HOST_DEVICE inline void carry_element(const RecurrentStepArgs& a, int64_t n, int64_t j) {
  const int64_t at = n * a.hidden + j;
  reinterpret_cast<T*>(a.h)[at] = reinterpret_cast<const T*>(a.h_prev)[at];
  if constexpr (Cell == RecurrentCell::kLstm) reinterpret_cast<T*>(a.c)[at] = reinterpret_cast<const T*>(a.c_prev)[at];
}

// ... so its gradients pass straight to the previous step, and none to the gates.
template <class T, RecurrentCell Cell>
DG_HOST_DEVICE inline void carry_element(const RecurrentStepBackwardArgs& a, int64_t n, int64_t j) {
  const int64_t H = a.hidden, G = gates(Cell), at = n * H + j;
  for (int64_t k = 0; k < G; ++k) reinterpret_cast<T*>(a.grad_x)[n * G * H + k * H + j] = T(0);
  if constexpr (Cell == RecurrentCell::kGru)
    for (int64_t k = 0; k < 3; ++k) reinterpret_cast<T*>(a.grad_h_lin)[n * 3 * H + k * H + j] = T(0);
  if constexpr (Cell == RecurrentCell::kLstm)
    reinterpret_cast<T*>(a.grad_c_prev)[at] = a.grad_c ? reinterpret_cast<const T*>(a.grad_c)[at] : T(0);
  reinterpret_cast<T*>(a.grad_h_prev)[at] = reinterpret_cast<const T*>(a.grad_h)[at];
}

// The elements of running rows (step_element and carry_element are
// overloaded on the args: forward or backward, so launch code is written once). Cell is a.cell, as a template argument so that the CPU's row loops vectorize.
template <class T, RecurrentCell Cell>
DG_HOST_DEVICE inline void step_element(const RecurrentStepArgs& a, int64_t n, int64_t j) {
  const int64_t H = a.hidden, G = gates(Cell);
  const T* x = reinterpret_cast<const T*>(a.x) + n * G * H;
  const T* hl = reinterpret_cast<const T*>(a.h_lin) + n * G * H;
  const T* b = reinterpret_cast<const T*>(a.bias);
  // The gate k pre-activation's hidden part, bias included.
  auto hidden_part = [&](int64_t k) { return hl[k * H + j] + (b ? b[k * H + j] : T(0)); };
  const int64_t at = n * H + j;
  T* h = reinterpret_cast<T*>(a.h);
  if constexpr (Cell == RecurrentCell::kLstm) {
    T* saved = reinterpret_cast<T*>(a.saved) + n * 4 * H;
    const T i = recurrent::sigmoid(x[j] + hidden_part(0));
    const T f = recurrent::sigmoid(x[H + j] + hidden_part(1));
    const T g = recurrent::tanh(x[2 * H + j] + hidden_part(2));
    const T o = recurrent::sigmoid(x[3 * H + j] + hidden_part(3));
    const T c = f * reinterpret_cast<const T*>(a.c_prev)[at] + i * g;
    reinterpret_cast<T*>(a.c)[at] = c;
    h[at] = o * recurrent::tanh(c);
    saved[j] = i;
    saved[H + j] = f;
    saved[2 * H + j] = g;
    saved[3 * H + j] = o;
  } else if constexpr (Cell == RecurrentCell::kGru) {
    T* saved = reinterpret_cast<T*>(a.saved) + n * 4 * H;
    const T r = recurrent::sigmoid(x[j] + hidden_part(0));
    const T z = recurrent::sigmoid(x[H + j] + hidden_part(1));
    const T hn = hidden_part(2);
    const T nv = recurrent::tanh(x[2 * H + j] + r * hn);
    h[at] = nv + z * (reinterpret_cast<const T*>(a.h_prev)[at] - nv);
    saved[j] = r;
    saved[H + j] = z;
    saved[2 * H + j] = nv;
    saved[3 * H + j] = hn;
  } else {
    const T pre = x[j] + hidden_part(0);
    h[at] = Cell == RecurrentCell::kRnnTanh ? recurrent::tanh(pre) : (pre > T(0) ? pre : T(0));
  }
}

template <class T, RecurrentCell Cell>
DG_HOST_DEVICE inline void step_element(const RecurrentStepBackwardArgs& a, int64_t n, int64_t j) {
  const int64_t H = a.hidden, G = gates(Cell);
  const int64_t at = n * H + j;
  const T dh = reinterpret_cast<const T*>(a.grad_h)[at];
  T* gx = reinterpret_cast<T*>(a.grad_x) + n * G * H;
  if constexpr (Cell == RecurrentCell::kLstm) {
    const T* saved = reinterpret_cast<const T*>(a.saved) + n * 4 * H;
    const T i = saved[j], f = saved[H + j], g = saved[2 * H + j], o = saved[3 * H + j];
    const T tc = recurrent::tanh(reinterpret_cast<const T*>(a.c)[at]);
    const T dc = (a.grad_c ? reinterpret_cast<const T*>(a.grad_c)[at] : T(0)) + dh * o * (T(1) - tc * tc);
    gx[j] = dc * g * i * (T(1) - i);
    gx[H + j] = dc * reinterpret_cast<const T*>(a.c_prev)[at] * f * (T(1) - f);
    gx[2 * H + j] = dc * i * (T(1) - g * g);
    gx[3 * H + j] = dh * tc * o * (T(1) - o);
    reinterpret_cast<T*>(a.grad_c_prev)[at] = dc * f;
  } else if constexpr (Cell == RecurrentCell::kGru) {
    const T* saved = reinterpret_cast<const T*>(a.saved) + n * 4 * H;
    const T r = saved[j], z = saved[H + j], nv = saved[2 * H + j], hn = saved[3 * H + j];
    const T h_prev = reinterpret_cast<const T*>(a.h_prev)[at];
    const T dn = dh * (T(1) - z) * (T(1) - nv * nv);
    const T dr = dn * hn * r * (T(1) - r);
    const T dz = dh * (h_prev - nv) * z * (T(1) - z);
    T* ghl = reinterpret_cast<T*>(a.grad_h_lin) + n * 3 * H;
    gx[j] = ghl[j] = dr;
    gx[H + j] = ghl[H + j] = dz;
    gx[2 * H + j] = dn;
    ghl[2 * H + j] = dn * r;
    reinterpret_cast<T*>(a.grad_h_prev)[at] = dh * z;
  } else {
    const T h = reinterpret_cast<const T*>(a.h)[at];
    gx[j] = Cell == RecurrentCell::kRnnTanh ? dh * (T(1) - h * h) : (h > T(0) ? dh : T(0));
  }
}

// Host side: calls fn(T(), cell constant) for float32/float64 and the args' cell kind.
template <class Args, class Fn>
void dispatch(const Args& a, const char* name, const Fn& fn) {
  auto with_cell = [&](auto zero) {
    switch (a.cell) {
      case RecurrentCell::kLstm: return fn(zero, std::integral_constant<RecurrentCell, RecurrentCell::kLstm>());
      case RecurrentCell::kGru: return fn(zero, std::integral_constant<RecurrentCell, RecurrentCell::kGru>());
      case RecurrentCell::kRnnTanh: return fn(zero, std::integral_constant<RecurrentCell, RecurrentCell::kRnnTanh>());
      case RecurrentCell::kRnnRelu: return fn(zero, std::integral_constant<RecurrentCell, RecurrentCell::kRnnRelu>());
    }
  };
  if (a.dtype == kFloat32) return with_cell(float());
  if (a.dtype == kFloat64) return with_cell(double());
  DG_FAIL(TypeError, name, ": the fused recurrent kernel takes float32 or float64, got ", dtype_name(a.dtype));
}

}  // namespace dg::recurrent
