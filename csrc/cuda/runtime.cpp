// Devices, streams, events, host<->device copies and pinned memory: the
// dg::cuda API of include/dyngraph/cuda.h over the CUDA runtime.
#include <mutex>
#include <string>

#include "cuda/check.h"
#include "dyngraph/cuda.h"

namespace dg::cuda {

namespace {
constexpr int kMaxDevices = 64;

struct DeviceInfo {
  int count = 0;
  std::string reason;
};
const DeviceInfo& device_info() {
  static DeviceInfo info = [] {
    DeviceInfo i;
    cudaError_t err = cudaGetDeviceCount(&i.count);
    if (err != cudaSuccess) {
      cudaGetLastError();
      i.count = 0;
      if (err == cudaErrorInsufficientDriver)
        i.reason = "Found no NVIDIA driver on your system, or one too old for this build's CUDA runtime";
      else if (err == cudaErrorNoDevice)
        i.reason = "no CUDA GPUs are available";
      else
        i.reason = std::string("CUDA is not usable on this machine: ") + cudaGetErrorString(err);
    } else if (i.count == 0) {
      i.reason = "no CUDA GPUs are available";
    }
    return i;
  }();
  return info;
}

// The stream each device's kernels go to, per thread (0: the default stream).
thread_local cudaStream_t current_streams[kMaxDevices] = {};

int checked_device(int device) {
  DG_CHECK(device_count() > 0, DeviceUnavailableError, unavailable_reason());
  if (device < 0) device = current_device();
  DG_CHECK(device < device_count(), Error, "CUDA error: invalid device ordinal ", device, " (", device_count(),
           " device(s) available)");
  return device;
}
cudaStream_t as_stream(StreamHandle s) { return reinterpret_cast<cudaStream_t>(s); }
cudaEvent_t as_event(EventHandle e) { return reinterpret_cast<cudaEvent_t>(e); }
}  // namespace

void throw_cuda_error(cudaError_t err, const char* what) {
  cudaGetLastError();
  if (err == cudaErrorMemoryAllocation) DG_FAIL(OutOfMemoryError, "CUDA out of memory (", what, ")");
  DG_FAIL(Error, "CUDA error: ", cudaGetErrorString(err), " (", what, ")");
}

void check_last_launch(const char* kernel) {
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw_cuda_error(err, kernel);
}

DeviceGuard::DeviceGuard(int device) {
  DG_CUDA_CHECK(cudaGetDevice(&previous_));
  if (device >= 0 && device != previous_) DG_CUDA_CHECK(cudaSetDevice(device));
  else previous_ = -1;  // nothing to restore
}
DeviceGuard::~DeviceGuard() {
  if (previous_ >= 0) cudaSetDevice(previous_);
}

cudaStream_t stream_for(int device) { return current_streams[device < 0 ? current_device() : device]; }

bool is_built() { return true; }
int device_count() { return device_info().count; }
std::string unavailable_reason() { return device_info().reason; }

int current_device() {
  DG_CHECK(device_count() > 0, DeviceUnavailableError, unavailable_reason());
  int d = 0;
  DG_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}
void set_device(int device) { DG_CUDA_CHECK(cudaSetDevice(checked_device(device))); }

std::string device_name(int device) {
  cudaDeviceProp p;
  DG_CUDA_CHECK(cudaGetDeviceProperties(&p, checked_device(device)));
  return p.name;
}
std::pair<int, int> device_capability(int device) {
  cudaDeviceProp p;
  DG_CUDA_CHECK(cudaGetDeviceProperties(&p, checked_device(device)));
  return {p.major, p.minor};
}
size_t device_total_memory(int device) {
  cudaDeviceProp p;
  DG_CUDA_CHECK(cudaGetDeviceProperties(&p, checked_device(device)));
  return p.totalGlobalMem;
}
void synchronize(int device) {
  DeviceGuard g(checked_device(device));
  DG_CUDA_CHECK(cudaDeviceSynchronize());
}

StreamHandle current_stream(int device) {
  return reinterpret_cast<StreamHandle>(current_streams[checked_device(device)]);
}
void set_current_stream(int device, StreamHandle stream) { current_streams[checked_device(device)] = as_stream(stream); }
StreamHandle create_stream(int device, int priority) {
  DeviceGuard g(checked_device(device));
  cudaStream_t s;
  DG_CUDA_CHECK(cudaStreamCreateWithPriority(&s, cudaStreamNonBlocking, priority));
  return reinterpret_cast<StreamHandle>(s);
}
void destroy_stream(StreamHandle stream) {
  if (stream) cudaStreamDestroy(as_stream(stream));
}
void stream_synchronize(StreamHandle stream) { DG_CUDA_CHECK(cudaStreamSynchronize(as_stream(stream))); }
bool stream_query(StreamHandle stream) {
  cudaError_t err = cudaStreamQuery(as_stream(stream));
  if (err == cudaErrorNotReady) return false;
  DG_CUDA_CHECK(err);
  return true;
}
void stream_wait_event(StreamHandle stream, EventHandle event) {
  DG_CUDA_CHECK(cudaStreamWaitEvent(as_stream(stream), as_event(event), 0));
}

EventHandle create_event(bool enable_timing, bool blocking) {
  unsigned flags = (enable_timing ? 0u : cudaEventDisableTiming) | (blocking ? cudaEventBlockingSync : 0u);
  cudaEvent_t e;
  DG_CUDA_CHECK(cudaEventCreateWithFlags(&e, flags));
  return reinterpret_cast<EventHandle>(e);
}
void destroy_event(EventHandle event) {
  if (event) cudaEventDestroy(as_event(event));
}
void record_event(EventHandle event, StreamHandle stream) {
  DG_CUDA_CHECK(cudaEventRecord(as_event(event), as_stream(stream)));
}
void event_synchronize(EventHandle event) { DG_CUDA_CHECK(cudaEventSynchronize(as_event(event))); }
bool event_query(EventHandle event) {
  cudaError_t err = cudaEventQuery(as_event(event));
  if (err == cudaErrorNotReady) return false;
  DG_CUDA_CHECK(err);
  return true;
}
float event_elapsed_ms(EventHandle start, EventHandle end) {
  float ms = 0;
  DG_CUDA_CHECK(cudaEventElapsedTime(&ms, as_event(start), as_event(end)));
  return ms;
}

void* pinned_alloc(size_t nbytes) {
  DG_CHECK(device_count() > 0, DeviceUnavailableError, "cannot pin memory: ", unavailable_reason());
  void* p = nullptr;
  DG_CUDA_CHECK(cudaHostAlloc(&p, nbytes ? nbytes : 1, cudaHostAllocDefault));
  return p;
}
void pinned_free(void* ptr) { cudaFreeHost(ptr); }
bool is_pinned(const void* ptr) {
  if (device_count() == 0) return false;
  cudaPointerAttributes attr;
  if (cudaPointerGetAttributes(&attr, ptr) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return attr.type == cudaMemoryTypeHost;
}

void memcpy(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes, bool non_blocking) {
  if (nbytes == 0) return;
  const Device gpu = dst_device.is_cuda() ? dst_device : src_device;
  DeviceGuard g(gpu.index);
  cudaStream_t stream = stream_for(gpu.index);
  DG_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDefault, stream));
  // Device to device stays in stream order; with the host involved the call
  // returns early only when asked to and the host buffer is pinned (a
  // pageable buffer could be reused or freed before the copy reads it).
  const bool host_involved = dst_device.is_cpu() || src_device.is_cpu();
  const void* host = dst_device.is_cpu() ? dst : src;
  if (host_involved && !(non_blocking && is_pinned(host))) DG_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace dg::cuda
