// dyngraph::cuda in a build without the CUDA backend: no devices, and every
// call that needs one says so.
#ifndef DG_WITH_CUDA

#include "dyngraph/cuda.h"
#include "dyngraph/error.h"

namespace dg::cuda {

namespace {
[[noreturn]] void not_built() { DG_FAIL(DeviceUnavailableError, "Torch not compiled with CUDA enabled (dyngraph was built without a CUDA compiler)"); }
}  // namespace

bool is_built() { return false; }
int device_count() { return 0; }
std::string unavailable_reason() { return "Torch not compiled with CUDA enabled (dyngraph was built without a CUDA compiler)"; }
int current_device() { not_built(); }
void set_device(int) { not_built(); }
std::string device_name(int) { not_built(); }
std::pair<int, int> device_capability(int) { not_built(); }
size_t device_total_memory(int) { not_built(); }
void synchronize(int) { not_built(); }
StreamHandle current_stream(int) { not_built(); }
void set_current_stream(int, StreamHandle) { not_built(); }
StreamHandle create_stream(int, int) { not_built(); }
void destroy_stream(StreamHandle) { not_built(); }
void stream_synchronize(StreamHandle) { not_built(); }
bool stream_query(StreamHandle) { not_built(); }
void stream_wait_event(StreamHandle, EventHandle) { not_built(); }
EventHandle create_event(bool, bool) { not_built(); }
void destroy_event(EventHandle) { not_built(); }
void record_event(EventHandle, StreamHandle) { not_built(); }
void event_synchronize(EventHandle) { not_built(); }
bool event_query(EventHandle) { not_built(); }
float event_elapsed_ms(EventHandle, EventHandle) { not_built(); }
MemoryStats memory_stats(int) { return {}; }
void reset_peak_memory_stats(int) {}
void empty_cache() {}
void record_stream(void*, StreamHandle) { not_built(); }
void* pinned_alloc(size_t) { not_built(); }
void pinned_free(void*) { not_built(); }
bool is_pinned(const void*) { return false; }
void memcpy(void*, Device, const void*, Device, size_t, bool) { not_built(); }
// Kept so the Python flag reads back what was set, as PyTorch's does without a GPU.
bool g_allow_tf32 = false;
void set_allow_tf32(bool allow) { g_allow_tf32 = allow; }
bool allow_tf32() { return g_allow_tf32; }

}  // namespace dg::cuda

#endif  // DG_WITH_CUDA
