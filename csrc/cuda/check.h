// Turning CUDA runtime errors into dg exceptions, and the device guard every
// launch uses. Included by host code only (g++ or nvcc's host pass).
#pragma once

#include <cuda_runtime.h>

#include "dyngraph/error.h"

namespace dg::cuda {

// Clears the (non-sticky) error and throws: OutOfMemoryError for
// cudaErrorMemoryAllocation, Error otherwise.
[[noreturn]] void throw_cuda_error(cudaError_t err, const char* what);

// Launch errors are caught right after each launch (cheap: no sync).
void check_last_launch(const char* kernel);

// Makes `device` current for its scope, restoring the previous one.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

// The stream kernels of the current thread launch on, for a device.
cudaStream_t stream_for(int device);

}  // namespace dg::cuda

#define DG_CUDA_CHECK(expr)                                                  \
  do {                                                                       \
    cudaError_t dg_cuda_err_ = (expr);                                       \
    if (dg_cuda_err_ != cudaSuccess) ::dg::cuda::throw_cuda_error(dg_cuda_err_, #expr); \
  } while (0)
