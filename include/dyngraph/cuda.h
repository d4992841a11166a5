// The CUDA runtime as dyngraph sees it: devices, streams, events and the
// caching allocator's statistics. In a build without the CUDA backend (or on
// a machine without a GPU or driver) device_count() is 0 and everything else
// throws a dg::Error saying why; nothing here touches the driver until it is
// first called.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "dyngraph/device.h"
#include "dyngraph/export.h"

namespace dg::cuda {

// Whether this library was built with the CUDA backend.
DG_API bool is_built();
// Usable GPUs (0 without a driver or GPU; never throws).
DG_API int device_count();
// Why device_count() is 0 ("" when it is not).
DG_API std::string unavailable_reason();
DG_API int current_device();
DG_API void set_device(int device);
DG_API std::string device_name(int device);
// (major, minor) compute capability.
DG_API std::pair<int, int> device_capability(int device);
DG_API size_t device_total_memory(int device);
// Waits for all work on the device (-1: the current one).
DG_API void synchronize(int device = -1);

// Streams and events are opaque handles (cudaStream_t / cudaEvent_t);
// stream 0 is the device's default (legacy) stream.
using StreamHandle = uintptr_t;
using EventHandle = uintptr_t;
DG_API StreamHandle current_stream(int device = -1);
DG_API void set_current_stream(int device, StreamHandle stream);
DG_API StreamHandle create_stream(int device, int priority);
DG_API void destroy_stream(StreamHandle stream);
DG_API void stream_synchronize(StreamHandle stream);
DG_API bool stream_query(StreamHandle stream);  // true when all its work is done
DG_API void stream_wait_event(StreamHandle stream, EventHandle event);
DG_API EventHandle create_event(bool enable_timing, bool blocking);
DG_API void destroy_event(EventHandle event);
DG_API void record_event(EventHandle event, StreamHandle stream);
DG_API void event_synchronize(EventHandle event);
DG_API bool event_query(EventHandle event);
DG_API float event_elapsed_ms(EventHandle start, EventHandle end);

// The caching allocator (per device): bytes held by live tensors, bytes
// reserved from the driver (live + cached), peaks since the last reset.
struct MemoryStats {
  size_t allocated = 0, max_allocated = 0, reserved = 0, max_reserved = 0;
  size_t num_allocs = 0, num_frees = 0, num_cache_hits = 0, num_ooms = 0;
};
DG_API MemoryStats memory_stats(int device);
DG_API void reset_peak_memory_stats(int device);
// Gives every cached (unused) block back to the driver.
DG_API void empty_cache();
// Marks a tensor's memory as used by `stream`, so the allocator does not hand
// it out again until the work queued there so far is done.
DG_API void record_stream(void* ptr, StreamHandle stream);

// Page-locked host memory for fast (and asynchronous) host <-> device copies.
DG_API void* pinned_alloc(size_t nbytes);
DG_API void pinned_free(void* ptr);
DG_API bool is_pinned(const void* ptr);

// Copies nbytes between two dense buffers on any devices. non_blocking only
// returns early when the host side is pinned; otherwise the call waits.
DG_API void memcpy(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes, bool non_blocking);

// cuBLAS is loaded on first use; TF32 tensor cores for float32 matmul.
DG_API void set_allow_tf32(bool allow);
DG_API bool allow_tf32();

}  // namespace dg::cuda
