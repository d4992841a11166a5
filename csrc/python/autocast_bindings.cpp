// Bindings of autocast's thread-local state (dyngraph.amp.autocast_mode keeps
// PyTorch's Python API on top of them). Device types are "cpu" and "cuda".
#include "dyngraph/autocast.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

DeviceType device_type(const std::string& name) {
  if (name == "cpu") return DeviceType::CPU;
  if (name == "cuda") return DeviceType::CUDA;
  throw ValueError("autocast: unknown device type '" + name + "'");
}

}  // namespace

void bind_autocast(py::module_& m) {
  using S = const std::string&;
  m.def("_autocast_is_enabled", [](S d) { return autocast::is_enabled(device_type(d)); });
  m.def("_autocast_set_enabled", [](S d, bool e) { autocast::set_enabled(device_type(d), e); });
  m.def("_autocast_get_dtype", [](S d) { return autocast::get_dtype(device_type(d)); });
  m.def("_autocast_set_dtype", [](S d, Dtype t) { autocast::set_dtype(device_type(d), t); });
  m.def("_autocast_is_cache_enabled", [] { return autocast::is_cache_enabled(); });
  m.def("_autocast_set_cache_enabled", [](bool e) { autocast::set_cache_enabled(e); });
  m.def("_autocast_clear_cache", [] { autocast::clear_cache(); });
  m.def("_autocast_increment_nesting", [] { return autocast::increment_nesting(); });
  m.def("_autocast_decrement_nesting", [] { return autocast::decrement_nesting(); });
  m.def("_autocast_is_excluded", [] { return autocast::is_excluded(); });
  m.def("_autocast_set_excluded", [](bool e) { autocast::set_excluded(e); });
  m.def("_autocast_cast", [](const Tensor& t, Dtype to, S d) { return autocast::cast(t, to, device_type(d)); });
}

}  // namespace dg::python
