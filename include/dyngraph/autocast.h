// Autocast (PyTorch's torch.autocast): regions of a thread in which the
// matrix products and convolutions (matmul, mm, bmm, addmm, baddbmm, linear,
// convolution) run in a lower-precision dtype, bfloat16 on the CPU and
// float16 on CUDA by default. The ops consult this thread-local state at
// entry: their float32/float16/bfloat16 arguments on the autocast device
// type are cast (never float64, integer or complex ones), and the op runs
// with autocast excluded, so the ops it is made of are not cast again.
// Float32 leaves that require grad (weights) are cast once per region.
#pragma once

#include <optional>

#include "dyngraph/device.h"
#include "dyngraph/dtype.h"
#include "dyngraph/export.h"
#include "dyngraph/tensor.h"

namespace dg::autocast {

// The state of this thread, per device type (CPU and CUDA).
DG_API bool is_enabled(DeviceType device);
DG_API void set_enabled(DeviceType device, bool enabled);
DG_API Dtype get_dtype(DeviceType device);
DG_API void set_dtype(DeviceType device, Dtype dtype);
// Whether lower-precision copies of weights are kept until the outermost region ends.
DG_API bool is_cache_enabled();
DG_API void set_cache_enabled(bool enabled);
DG_API void clear_cache();
// The depth of nested regions; leaving the outermost clears the cache.
DG_API int64_t increment_nesting();
DG_API int64_t decrement_nesting();
// Inside an op autocast has already handled: its inner ops run as they are.
DG_API bool is_excluded();
DG_API void set_excluded(bool excluded);

// t as an op on `device` under autocast sees it cast to `to`: float32,
// float16 and bfloat16 tensors on that device type are cast (with the weight
// cache), any other tensor is returned as it is. Differentiable.
DG_API Tensor cast(const Tensor& t, Dtype to, DeviceType device);

// The C++ form of `with torch.autocast(device_type, dtype, enabled)`.
class DG_API Guard {
 public:
  explicit Guard(DeviceType device, std::optional<Dtype> dtype = std::nullopt, bool enabled = true);
  ~Guard();
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  DeviceType device_;
  bool prev_enabled_;
  Dtype prev_dtype_;
};

// Autocast excluded in a scope (what an autocast op runs its body under).
class DG_API ExcludeGuard {
 public:
  ExcludeGuard() : prev_(is_excluded()) { set_excluded(true); }
  ~ExcludeGuard() { set_excluded(prev_); }
  ExcludeGuard(const ExcludeGuard&) = delete;
  ExcludeGuard& operator=(const ExcludeGuard&) = delete;

 private:
  bool prev_;
};

}  // namespace dg::autocast
