// The CUDA backend's registration: kernel pointers and the caching allocator.
// Called when the kernel table is first built; it makes no CUDA call, so a
// machine without a GPU pays nothing.
#include "core/dispatch.h"
#include "dyngraph/storage.h"

namespace dg::cuda {

Allocator* caching_allocator();
void register_elementwise_binary(KernelTable& t);
void register_elementwise_unary(KernelTable& t);
void register_elementwise_other(KernelTable& t);
void register_reduce_kernels(KernelTable& t);
void register_index_kernels(KernelTable& t);
void register_blas_kernels(KernelTable& t);
void register_nn_kernels(KernelTable& t);
void register_resample_kernels(KernelTable& t);
void register_tap_kernels(KernelTable& t);
void register_recurrent_kernels(KernelTable& t);
void register_optimizer_kernels(KernelTable& t);
void register_sort_kernels(KernelTable& t);
void register_nonzero_kernel(KernelTable& t);
void register_loss_kernels(KernelTable& t);
void register_embedding_bag_kernels(KernelTable& t);

void register_kernels(KernelTable& t) {
  set_allocator(DeviceType::CUDA, caching_allocator());
  register_elementwise_binary(t);
  register_elementwise_unary(t);
  register_elementwise_other(t);
  register_reduce_kernels(t);
  register_index_kernels(t);
  register_blas_kernels(t);
  register_nn_kernels(t);
  register_resample_kernels(t);
  register_tap_kernels(t);
  register_recurrent_kernels(t);
  register_optimizer_kernels(t);
  register_sort_kernels(t);
  register_nonzero_kernel(t);
  register_loss_kernels(t);
  register_embedding_bag_kernels(t);
}

}  // namespace dg::cuda
