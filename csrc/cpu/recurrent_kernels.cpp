// CPU kernels of a recurrent cell's time step and its backward: the shared
// element functions (kernels/recurrent.h) over (batch, hidden), rows split
// over threads when the step is large enough.
#include <algorithm>
#include <type_traits>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/recurrent.h"

namespace dg::cpu {

namespace {

// Calls running(n, j) or, for rows past their sequence's end, carry(n, j) for
// every unit of every row, rows split over threads; about 20 flops and up to
// five exps per element. The unit loops vectorize (rows of different buffers
// never overlap: ivdep).
template <class Args, class Running, class Carry>
void for_each_unit(const Args& a, const Running& running, const Carry& carry) {
  parallel_for(0, a.batch, kGrainSize / 16 / std::max<int64_t>(a.hidden, 1), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      if (recurrent::row_running(a, n)) {
#pragma GCC ivdep
        for (int64_t j = 0; j < a.hidden; ++j) running(n, j);
      } else {
        for (int64_t j = 0; j < a.hidden; ++j) carry(n, j);
      }
    }
  });
}

// Calls fn(T(), cell constant) for float32/float64 and each cell kind.
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

void recurrent_step(const RecurrentStepArgs& a) {
  dispatch(a, "recurrent_step", [&](auto zero, auto cell) {
    using T = decltype(zero);
    for_each_unit(
        a, [&](int64_t n, int64_t j) { recurrent::step_element<T, cell.value>(a, n, j); },
        [&](int64_t n, int64_t j) { recurrent::carry_element<T, cell.value>(a, n, j); });
  });
}

void recurrent_step_backward(const RecurrentStepBackwardArgs& a) {
  dispatch(a, "recurrent_step_backward", [&](auto zero, auto cell) {
    using T = decltype(zero);
    for_each_unit(
        a, [&](int64_t n, int64_t j) { recurrent::step_backward_element<T, cell.value>(a, n, j); },
        [&](int64_t n, int64_t j) { recurrent::carry_backward_element<T, cell.value>(a, n, j); });
  });
}

}  // namespace

void register_recurrent_kernels(KernelTable& t) {
  t.recurrent_step = &recurrent_step;
  t.recurrent_step_backward = &recurrent_step_backward;
}

}  // namespace dg::cpu
