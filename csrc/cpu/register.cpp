// The CPU backend's registration: called once when the kernel table is first used.
#include "core/dispatch.h"

namespace dg::cpu {

void register_elementwise_kernels(KernelTable& t);
void register_reduce_kernels(KernelTable& t);
void register_index_kernels(KernelTable& t);
void register_unary_kernels(KernelTable& t);
void register_binary_kernels(KernelTable& t);
void register_blas_kernels(KernelTable& t);
void register_sort_kernels(KernelTable& t);
void register_im2col_kernels(KernelTable& t);
void register_nn_kernels(KernelTable& t);
void register_resample_kernels(KernelTable& t);
void register_tap_kernels(KernelTable& t);
void register_recurrent_kernels(KernelTable& t);
void register_optimizer_kernels(KernelTable& t);
void register_lapack_kernels(KernelTable& t);
void register_loss_kernels(KernelTable& t);
void register_embedding_bag_kernels(KernelTable& t);

void register_kernels(KernelTable& t) {
  register_elementwise_kernels(t);
  register_reduce_kernels(t);
  register_index_kernels(t);
  register_unary_kernels(t);
  register_binary_kernels(t);
  register_blas_kernels(t);
  register_sort_kernels(t);
  register_im2col_kernels(t);
  register_nn_kernels(t);
  register_resample_kernels(t);
  register_tap_kernels(t);
  register_recurrent_kernels(t);
  register_optimizer_kernels(t);
  register_lapack_kernels(t);
  register_loss_kernels(t);
  register_embedding_bag_kernels(t);
}

}  // namespace dg::cpu
