// The CPU allocator: 64-byte aligned memory for every tensor, plus a bounded
// cache of large blocks. A fresh 64 MiB result costs ~16k page faults when it
// comes from the kernel; reusing a freed block of the same size class skips
// them all, and large blocks ask for transparent huge pages.
#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "dyngraph/error.h"
#include "dyngraph/storage.h"
#include "core/dispatch.h"
#include "dyngraph/cuda.h"

namespace dg {

namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kLargeBlock = size_t(1) << 20;  // blocks of 1 MiB and up are cached
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kCacheLimit = size_t(2) << 30;  // at most 2 GiB kept idle

size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

class CachingCpuAllocator final : public Allocator {
 public:
  static CachingCpuAllocator& instance() {
    static CachingCpuAllocator* a = new CachingCpuAllocator();  // never destroyed: outlives all tensors
    return *a;
  }

  DataPtr allocate(size_t nbytes, Device) override {
    if (nbytes < kLargeBlock) {
      void* p = std::aligned_alloc(kAlignment, round_up(nbytes ? nbytes : 1, kAlignment));
      DG_CHECK(p, OutOfMemoryError, "CPU allocator: not enough memory: tried to allocate ", nbytes, " bytes");
      return {p, nullptr, &free_small};
    }
    // Size classes are multiples of 2 MiB, so THP can back the whole block.
    size_t cls = round_up(nbytes, kHugePage);
    void* p = take_cached(cls);
    if (!p) p = map_large(cls);
    return {p, reinterpret_cast<void*>(cls), &release_large};
  }

  size_t cached_bytes() {
    std::lock_guard<std::mutex> g(mutex_);
    return cached_bytes_;
  }

  void empty_cache() {
    std::multimap<size_t, void*> blocks;
    {
      std::lock_guard<std::mutex> g(mutex_);
      blocks.swap(free_);
      cached_bytes_ = 0;
    }
    for (auto& b : blocks) munmap(b.second, b.first);
  }

 private:
  static void free_small(void* ptr, void*) { std::free(ptr); }
  static void release_large(void* ptr, void* ctx) { instance().give_back(ptr, reinterpret_cast<size_t>(ctx)); }

  void* take_cached(size_t cls) {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = free_.find(cls);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_bytes_ -= cls;
    return p;
  }

  void* map_large(size_t cls) {
    void* p = mmap(nullptr, cls, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      empty_cache();  // give cached blocks back to the system and retry once
      p = mmap(nullptr, cls, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    DG_CHECK(p != MAP_FAILED, OutOfMemoryError, "CPU allocator: not enough memory: tried to allocate ", cls,
             " bytes");
#ifdef MADV_HUGEPAGE
    madvise(p, cls, MADV_HUGEPAGE);
#endif
    return p;
  }

  void give_back(void* p, size_t cls) {
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (cached_bytes_ + cls <= kCacheLimit) {
        free_.emplace(cls, p);
        cached_bytes_ += cls;
        return;
      }
    }
    munmap(p, cls);
  }

  std::mutex mutex_;
  std::multimap<size_t, void*> free_;
  size_t cached_bytes_ = 0;
};

Allocator* g_allocators[kNumDeviceTypes] = {&CachingCpuAllocator::instance(), nullptr};

}  // namespace

Allocator* get_allocator(DeviceType type) {
  Allocator* a = g_allocators[static_cast<int>(type)];
  if (!a && type != DeviceType::CPU) {
    kernel_table(type);  // a backend registers its allocator along with its kernels
    a = g_allocators[static_cast<int>(type)];
  }
  DG_CHECK(a, DeviceUnavailableError, "no allocator for device type ", Device(type).str(),
           " (is dyngraph built with its backend, and is the device available?)");
  return a;
}
void set_allocator(DeviceType type, Allocator* allocator) { g_allocators[static_cast<int>(type)] = allocator; }

Storage new_storage(size_t nbytes, Device device) {
  if (device.is_cuda() && device.index < 0) device.index = static_cast<int8_t>(cuda::current_device());
  DataPtr d = get_allocator(device.type)->allocate(nbytes, device);
  return make_intrusive<StorageImpl>(d, nbytes, device);
}

size_t cpu_cached_bytes() { return CachingCpuAllocator::instance().cached_bytes(); }
void cpu_empty_cache() { CachingCpuAllocator::instance().empty_cache(); }

}  // namespace dg
