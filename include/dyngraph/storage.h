// Storage: a refcounted byte buffer on one device. It either comes from the
// device's allocator or wraps foreign memory (a NumPy array, a DLPack
// capsule) together with the deleter that releases it, so interop is zero-copy.
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>

#include "dyngraph/device.h"
#include "dyngraph/export.h"
#include "dyngraph/intrusive_ptr.h"

namespace dg {

// Memory plus the way to give it back: deleter(ptr, ctx) is called once.
struct DataPtr {
  void* ptr = nullptr;
  void* ctx = nullptr;
  void (*deleter)(void* ptr, void* ctx) = nullptr;
};

class DG_API Allocator {
 public:
  virtual ~Allocator() = default;
  // nbytes on `device` (its index is resolved: never -1 for a GPU).
  virtual DataPtr allocate(size_t nbytes, Device device) = 0;
};

// The allocator registered for a device type (the CPU's is built in; the
// CUDA backend registers its own when it loads). Throws when none is.
DG_API Allocator* get_allocator(DeviceType type);
DG_API void set_allocator(DeviceType type, Allocator* allocator);

DG_API bool inference_mode_enabled();  // (autograd.h)
// Throws PyTorch's error for an in-place write to an inference tensor outside inference mode.
DG_API void check_inference_write();

class DG_API StorageImpl : public Refcounted {
 public:
  StorageImpl(DataPtr data, size_t nbytes, Device device)
      : data_(data), nbytes_(nbytes), device_(device), inference_(inference_mode_enabled()) {}
  ~StorageImpl() override {
    if (data_.deleter) data_.deleter(data_.ptr, data_.ctx);
  }
  void* data() const { return data_.ptr; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // The version counter autograd checks saved tensors against: every
  // in-place write to any view of this storage bumps it.
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  // Every in-place write bumps it first, so inference tensors are guarded here.
  void bump_version() {
    if (inference_) check_inference_write();
    version_.fetch_add(1, std::memory_order_relaxed);
  }

  // Made in inference mode: the memory of inference tensors (PyTorch's: the
  // tensors allocated in inference mode and every view of them).
  bool is_inference() const { return inference_; }

 private:
  DataPtr data_;
  size_t nbytes_;
  Device device_;
  bool inference_;
  std::atomic<uint32_t> version_{0};
};
using Storage = intrusive_ptr<StorageImpl>;

// nbytes of fresh (uninitialized) memory on device.
DG_API Storage new_storage(size_t nbytes, Device device);

// The CPU caching allocator's statistics and controls. Large blocks are kept
// on free lists (bounded) so that a fresh result reuses already-faulted pages.
DG_API size_t cpu_cached_bytes();
DG_API void cpu_empty_cache();

}  // namespace dg
