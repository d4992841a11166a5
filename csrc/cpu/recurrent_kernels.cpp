// CPU kernels of a recurrent cell's time step and its backward: the shared
// element functions (kernels/recurrent.h) over (batch, hidden), rows split
// over threads when the step is large enough.
#include <algorithm>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/recurrent.h"

namespace dg::cpu {

namespace {

// A step (forward or backward) over every unit of every row, rows split over
// threads; about 20 flops and up to five exps per element. A running row's
// unit loop vectorizes (rows of different buffers never overlap: ivdep); rows
// past their sequence's end carry their state.
template <class Args>
void step(const Args& a, const char* name) {
  recurrent::dispatch(a, name, [&](auto zero, auto cell) {
    using T = decltype(zero);
    parallel_for(0, a.batch, kGrainSize / 16 / std::max<int64_t>(a.hidden, 1), [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        if (recurrent::row_running(a, n)) {
#pragma GCC ivdep
          for (int64_t j = 0; j < a.hidden; ++j) recurrent::step_element<T, cell.value>(a, n, j);
        } else {
          for (int64_t j = 0; j < a.hidden; ++j) recurrent::carry_element<T, cell.value>(a, n, j);
        }
      }
    });
  });
}

void recurrent_step(const RecurrentStepArgs& a) { step(a, "recurrent_step"); }
void recurrent_step_backward(const RecurrentStepBackwardArgs& a) { step(a, "recurrent_step_backward"); }

}  // namespace

void register_recurrent_kernels(KernelTable& t) {
  t.recurrent_step = &recurrent_step;
  t.recurrent_step_backward = &recurrent_step_backward;
}

}  // namespace dg::cpu
