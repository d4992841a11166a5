// dyngraph.cuda's runtime calls (include/dyngraph/cuda.h), plus pinning and
// record_stream on tensors. Streams and events cross as integer handles; the
// Python classes in dyngraph/cuda wrap them.
#include "core/dispatch.h"
#include "dyngraph/cuda.h"
#include "dyngraph/ops.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

void bind_cuda(py::module_& m) {
  m.def("_cuda_is_built", &cuda::is_built);
  m.def("_cuda_device_count", &cuda::device_count);
  m.def("_cuda_unavailable_reason", &cuda::unavailable_reason);
  m.def("_cuda_current_device", &cuda::current_device);
  m.def("_cuda_set_device", &cuda::set_device);
  m.def("_cuda_device_name", &cuda::device_name);
  m.def("_cuda_device_capability", &cuda::device_capability);
  m.def("_cuda_device_total_memory", &cuda::device_total_memory);
  m.def("_cuda_synchronize", &cuda::synchronize, py::arg("device") = -1, py::call_guard<py::gil_scoped_release>());

  m.def("_cuda_current_stream", &cuda::current_stream, py::arg("device") = -1);
  m.def("_cuda_set_current_stream", &cuda::set_current_stream);
  m.def("_cuda_create_stream", &cuda::create_stream);
  m.def("_cuda_destroy_stream", &cuda::destroy_stream);
  m.def("_cuda_stream_synchronize", &cuda::stream_synchronize, py::call_guard<py::gil_scoped_release>());
  m.def("_cuda_stream_query", &cuda::stream_query);
  m.def("_cuda_stream_wait_event", &cuda::stream_wait_event);
  m.def("_cuda_create_event", &cuda::create_event);
  m.def("_cuda_destroy_event", &cuda::destroy_event);
  m.def("_cuda_record_event", &cuda::record_event);
  m.def("_cuda_event_synchronize", &cuda::event_synchronize, py::call_guard<py::gil_scoped_release>());
  m.def("_cuda_event_query", &cuda::event_query);
  m.def("_cuda_event_elapsed_ms", &cuda::event_elapsed_ms);

  m.def("_cuda_memory_stats", [](int device) {
    cuda::MemoryStats s = cuda::memory_stats(device);
    py::dict d;
    d["allocated_bytes.all.current"] = s.allocated;
    d["allocated_bytes.all.peak"] = s.max_allocated;
    d["reserved_bytes.all.current"] = s.reserved;
    d["reserved_bytes.all.peak"] = s.max_reserved;
    d["allocation.all.allocated"] = s.num_allocs;
    d["allocation.all.freed"] = s.num_frees;
    d["num_alloc_retries"] = 0;
    d["num_ooms"] = s.num_ooms;
    d["num_cache_hits"] = s.num_cache_hits;
    return d;
  });
  m.def("_cuda_reset_peak_memory_stats", &cuda::reset_peak_memory_stats);
  m.def("_cuda_empty_cache", &cuda::empty_cache);
  m.def("_cuda_set_allow_tf32", &cuda::set_allow_tf32);
  m.def("_cuda_allow_tf32", &cuda::allow_tf32);
  m.def("_set_deterministic_algorithms", &set_deterministic_algorithms);
  m.def("_set_flush_denormal", &set_flush_denormal);

  m.def("_missing_kernels", [](const std::string& device_type) {
    return missing_kernels(Device(device_type).type);
  });
  m.def("_pin_memory", &pin_memory);
  m.def("_is_pinned", &is_pinned);
  m.def("_record_stream", [](const Tensor& t, cuda::StreamHandle stream) {
    DG_CHECK(t.device().is_cuda(), Error, "record_stream: expected a CUDA tensor");
    if (t.numel() > 0) cuda::record_stream(t.impl()->storage()->data(), stream);
  });
}

}  // namespace dg::python
