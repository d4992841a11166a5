// CUDA kernels of a recurrent cell's time step and its backward: one thread
// per (batch row, hidden unit), running the element functions the CPU loop
// runs (kernels/recurrent.h).
#include "core/dispatch.h"
#include "cuda/launch.h"
#include "kernels/recurrent.h"

namespace dg::cuda {

namespace {

template <class T, RecurrentCell Cell>
__global__ void step_kernel(RecurrentStepArgs a, int64_t total) {
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t n = i / a.hidden, j = i % a.hidden;
    if (recurrent::row_running(a, n)) recurrent::step_element<T, Cell>(a, n, j);
    else recurrent::carry_element<T, Cell>(a, n, j);
  }
}

template <class T, RecurrentCell Cell>
__global__ void step_backward_kernel(RecurrentStepBackwardArgs a, int64_t total) {
  DG_GRID_STRIDE_LOOP(i, total) {
    const int64_t n = i / a.hidden, j = i % a.hidden;
    if (recurrent::row_running(a, n)) recurrent::step_backward_element<T, Cell>(a, n, j);
    else recurrent::carry_backward_element<T, Cell>(a, n, j);
  }
}

template <class Args, template <class> class Launch>
void launch(const Args& a, const char* name) {
  const int64_t total = a.batch * a.hidden;
  if (total == 0) return;
  cudaStream_t stream = stream_for(current_device_index());
  if (a.dtype == kFloat32) Launch<float>::run(a, total, stream);
  else if (a.dtype == kFloat64) Launch<double>::run(a, total, stream);
  else DG_FAIL(TypeError, name, ": the fused recurrent kernel takes float32 or float64, got ", dtype_name(a.dtype));
  check_last_launch(name);
}

// Launches kernel<T, cell> for the args' cell kind.
#define DG_LAUNCH_FOR_CELL(kernel, a, total, s)                                                         \
  switch (a.cell) {                                                                                   \
    case RecurrentCell::kLstm: kernel<T, RecurrentCell::kLstm><<<grid_for(total), 256, 0, s>>>(a, total); break; \
    case RecurrentCell::kGru: kernel<T, RecurrentCell::kGru><<<grid_for(total), 256, 0, s>>>(a, total); break;   \
    case RecurrentCell::kRnnTanh: kernel<T, RecurrentCell::kRnnTanh><<<grid_for(total), 256, 0, s>>>(a, total); break; \
    case RecurrentCell::kRnnRelu: kernel<T, RecurrentCell::kRnnRelu><<<grid_for(total), 256, 0, s>>>(a, total); break; \
  }

template <class T>
struct LaunchStep {
  static void run(const RecurrentStepArgs& a, int64_t total, cudaStream_t s) { DG_LAUNCH_FOR_CELL(step_kernel, a, total, s) }
};
template <class T>
struct LaunchStepBackward {
  static void run(const RecurrentStepBackwardArgs& a, int64_t total, cudaStream_t s) {
    DG_LAUNCH_FOR_CELL(step_backward_kernel, a, total, s)
  }
};

#undef DG_LAUNCH_FOR_CELL

void recurrent_step(const RecurrentStepArgs& a) { launch<RecurrentStepArgs, LaunchStep>(a, "recurrent_step"); }
void recurrent_step_backward(const RecurrentStepBackwardArgs& a) {
  launch<RecurrentStepBackwardArgs, LaunchStepBackward>(a, "recurrent_step_backward");
}

}  // namespace

void register_recurrent_kernels(KernelTable& t) {
  t.recurrent_step = &recurrent_step;
  t.recurrent_step_backward = &recurrent_step_backward;
}

}  // namespace dg::cuda
