// The CUDA caching allocator. cudaMalloc and cudaFree synchronize the device
// and cost tens of microseconds, so freed blocks are kept and reused:
//   - sizes round up to 512 bytes; requests up to 1 MiB are carved from
//     2 MiB segments (the small pool), larger ones from segments of 20 MiB
//     (under 10 MiB) or of their own size rounded to 2 MiB (the large pool);
//   - a free block bigger than the request is split, and a freed block merges
//     with free neighbours of its segment;
//   - blocks belong to the stream they were allocated on and are only reused
//     on it, so no synchronization is needed; a block also used on other
//     streams (record_stream) goes back to the pool once events recorded on
//     those streams have completed;
//   - when cudaMalloc fails, unused segments are released and it is retried;
//     then an OutOfMemoryError says what was asked, allocated and cached.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/dispatch.h"
#include "cuda/check.h"
#include "dyngraph/cuda.h"
#include "dyngraph/storage.h"

namespace dg::cuda {

namespace {

constexpr size_t kRound = 512;
constexpr size_t kSmallRequest = size_t(1) << 20;
constexpr size_t kSmallSegment = size_t(2) << 20;
constexpr size_t kMidRequest = size_t(10) << 20;
constexpr size_t kMidSegment = size_t(20) << 20;
constexpr size_t kSegmentRound = size_t(2) << 20;

size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

struct Block {
  int device;
  cudaStream_t stream;
  size_t size;
  char* ptr;
  bool small;              // which pool it belongs to
  bool allocated = false;
  Block* prev = nullptr;   // neighbours within the segment
  Block* next = nullptr;
  std::vector<cudaStream_t> other_streams;  // from record_stream
  int pending_events = 0;
};

// Free blocks ordered by (stream, size, address): lower_bound finds the
// smallest block that fits on a stream.
struct BlockOrder {
  bool operator()(const Block* a, const Block* b) const {
    if (a->stream != b->stream) return a->stream < b->stream;
    if (a->size != b->size) return a->size < b->size;
    return a->ptr < b->ptr;
  }
};
using Pool = std::set<Block*, BlockOrder>;

struct DeviceState {
  Pool small, large;
  MemoryStats stats;
  std::deque<std::pair<cudaEvent_t, Block*>> pending;  // blocks waiting for other streams
};

class CudaAllocator final : public Allocator {
 public:
  static CudaAllocator& instance() {
    static CudaAllocator* a = new CudaAllocator();  // never destroyed: outlives every tensor
    return *a;
  }

  DataPtr allocate(size_t nbytes, Device device) override {
    DG_CHECK(device_count() > 0, DeviceUnavailableError, unavailable_reason());
    const int dev = device.index < 0 ? current_device() : device.index;
    DG_CHECK(dev < device_count(), Error, "CUDA error: invalid device ordinal ", dev);
    if (nbytes == 0) return {nullptr, nullptr, nullptr};
    DeviceGuard guard(dev);
    cudaStream_t stream = stream_for(dev);
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceState& st = state(dev);
    process_pending(st);
    const size_t size = round_up(nbytes, kRound);
    const bool small = size <= kSmallRequest;
    Pool& pool = small ? st.small : st.large;
    Block key{dev, stream, size, nullptr, small};
    auto it = pool.lower_bound(&key);
    Block* block = nullptr;
    if (it != pool.end() && (*it)->stream == stream) {
      block = *it;
      pool.erase(it);
      ++st.stats.num_cache_hits;
    } else {
      block = new_segment(st, dev, stream, size, small, nbytes);
    }
    // Split off the rest when it is worth keeping as a block of its own.
    const size_t rest = block->size - size;
    if ((small && rest >= kRound) || (!small && rest > kSmallRequest)) {
      Block* tail = new Block{dev, stream, rest, block->ptr + size, small};
      tail->prev = block;
      tail->next = block->next;
      if (block->next) block->next->prev = tail;
      block->next = tail;
      block->size = size;
      pool.insert(tail);
    }
    block->allocated = true;
    live_[block->ptr] = block;
    st.stats.allocated += block->size;
    st.stats.max_allocated = std::max(st.stats.max_allocated, st.stats.allocated);
    ++st.stats.num_allocs;
    return {block->ptr, block, &release};
  }

  void record_stream(void* ptr, cudaStream_t stream) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(ptr);
    DG_CHECK(it != live_.end(), Error, "record_stream: the pointer was not allocated by dyngraph's CUDA allocator");
    Block* b = it->second;
    if (stream != b->stream && std::find(b->other_streams.begin(), b->other_streams.end(), stream) == b->other_streams.end())
      b->other_streams.push_back(stream);
  }

  void free(Block* b) {
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceState& st = state(b->device);
    live_.erase(b->ptr);
    st.stats.allocated -= b->size;
    ++st.stats.num_frees;
    if (!b->other_streams.empty()) {
      // Reusable once the work queued so far on those streams is done.
      DeviceGuard guard(b->device);
      for (cudaStream_t s : b->other_streams) {
        cudaEvent_t e;
        if (cudaEventCreateWithFlags(&e, cudaEventDisableTiming) != cudaSuccess || cudaEventRecord(e, s) != cudaSuccess) {
          cudaGetLastError();
          cudaDeviceSynchronize();  // fall back to waiting for everything
          continue;
        }
        st.pending.emplace_back(e, b);
        ++b->pending_events;
      }
      b->other_streams.clear();
      if (b->pending_events > 0) return;
    }
    return_to_pool(st, b);
  }

  MemoryStats stats(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    return state(device).stats;
  }
  void reset_peak(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    MemoryStats& s = state(device).stats;
    s.max_allocated = s.allocated;
    s.max_reserved = s.reserved;
  }
  void empty_cache() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [dev, st] : states_) release_unused(st, dev);
  }

 private:
  static void release(void* /*ptr*/, void* ctx) { instance().free(static_cast<Block*>(ctx)); }

  DeviceState& state(int device) { return states_[device]; }

  Block* new_segment(DeviceState& st, int dev, cudaStream_t stream, size_t size, bool small, size_t requested) {
    const size_t seg = small ? kSmallSegment : (size < kMidRequest ? kMidSegment : round_up(size, kSegmentRound));
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, seg);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      release_unused(st, dev);
      err = cudaMalloc(&p, seg);
    }
    if (err != cudaSuccess) {
      cudaGetLastError();
      if (err != cudaErrorMemoryAllocation) throw_cuda_error(err, "cudaMalloc");
      ++st.stats.num_ooms;
      size_t free_bytes = 0, total = 0;
      cudaMemGetInfo(&free_bytes, &total);
      const size_t cached = st.stats.reserved - st.stats.allocated;
      DG_FAIL(OutOfMemoryError, "CUDA out of memory. Tried to allocate ", mib(requested), " (GPU ", dev,
              ": ", mib(total), " total capacity, ", mib(free_bytes), " free; ", mib(st.stats.allocated),
              " allocated by dyngraph, ", mib(cached), " reserved but unallocated). Free tensors or call "
              "dyngraph.cuda.empty_cache() and try again.");
    }
    st.stats.reserved += seg;
    st.stats.max_reserved = std::max(st.stats.max_reserved, st.stats.reserved);
    return new Block{dev, stream, seg, static_cast<char*>(p), small};
  }

  static std::string mib(size_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
  }

  void return_to_pool(DeviceState& st, Block* b) {
    b->allocated = false;
    Pool& pool = b->small ? st.small : st.large;
    // Merge with free neighbours (they are in the pool, on the same stream).
    for (Block* n : {b->prev, b->next}) {
      if (!n || n->allocated || n->pending_events > 0) continue;
      pool.erase(n);
      if (n == b->prev) {
        n->size += b->size;
        n->next = b->next;
        if (b->next) b->next->prev = n;
        delete b;
        b = n;
      } else {
        b->size += n->size;
        b->next = n->next;
        if (n->next) n->next->prev = b;
        delete n;
      }
    }
    pool.insert(b);
  }

  void process_pending(DeviceState& st) {
    while (!st.pending.empty()) {
      auto [event, block] = st.pending.front();
      cudaError_t err = cudaEventQuery(event);
      if (err == cudaErrorNotReady) break;
      cudaGetLastError();
      cudaEventDestroy(event);
      st.pending.pop_front();
      if (--block->pending_events == 0) return_to_pool(st, block);
    }
  }

  // cudaFree for every segment that is one whole free block.
  void release_unused(DeviceState& st, int dev) {
    DeviceGuard guard(dev);
    for (Pool* pool : {&st.small, &st.large}) {
      for (auto it = pool->begin(); it != pool->end();) {
        Block* b = *it;
        if (b->prev || b->next) {
          ++it;
          continue;
        }
        cudaFree(b->ptr);
        st.stats.reserved -= b->size;
        it = pool->erase(it);
        delete b;
      }
    }
  }

  std::mutex mutex_;
  std::unordered_map<int, DeviceState> states_;
  std::unordered_map<void*, Block*> live_;
};

}  // namespace

Allocator* caching_allocator() { return &CudaAllocator::instance(); }

MemoryStats memory_stats(int device) {
  if (device_count() == 0) return {};
  return CudaAllocator::instance().stats(device < 0 ? current_device() : device);
}
void reset_peak_memory_stats(int device) {
  if (device_count() == 0) return;
  CudaAllocator::instance().reset_peak(device < 0 ? current_device() : device);
}
void empty_cache() {
  if (device_count() == 0) return;
  CudaAllocator::instance().empty_cache();
}
void record_stream(void* ptr, StreamHandle stream) {
  CudaAllocator::instance().record_stream(ptr, reinterpret_cast<cudaStream_t>(stream));
}

}  // namespace dg::cuda
