// CUDA kernels of a recurrent cell's time step and its backward: one thread
// per (batch row, hidden unit), running the element functions the CPU loop
// runs (kernels/recurrent.h).
#include "core/dispatch.h"
#include "cuda/launch.h"
#include "kernels/recurrent.h"

namespace dg::cuda {

namespace {

// One thread per (row, unit), forward or backward by the args' type.
template <class T, RecurrentCell Cell, class Args>
__global__ void step_kernel(Args a, int64_t total) {
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t n = i / a.hidden, j = i % a.hidden;
    if (recurrent::row_running(a, n)) recurrent::step_element<T, Cell>(a, n, j);
    else recurrent::carry_element<T, Cell>(a, n, j);
  }
}

template <class Args>
void step(const Args& a, const char* name) {
  const int64_t total = a.batch * a.hidden;
  if (total == 0) return;
  cudaStream_t stream = stream_for(current_device_index());
  recurrent::dispatch(a, name, [&](auto zero, auto cell) {
    step_kernel<decltype(zero), cell.value><<<grid_for(total), 256, 0, stream>>>(a, total);
  });
  check_last_launch(name);
}

void recurrent_step(const RecurrentStepArgs& a) { step(a, "recurrent_step"); }
void recurrent_step_backward(const RecurrentStepBackwardArgs& a) { step(a, "recurrent_step_backward"); }

}  // namespace

void register_recurrent_kernels(KernelTable& t) {
  t.recurrent_step = &recurrent_step;
  t.recurrent_step_backward = &recurrent_step_backward;
}

}  // namespace dg::cuda
