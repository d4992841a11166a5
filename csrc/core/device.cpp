#include "dyngraph/device.h"

#include <cctype>

#include "dyngraph/cuda.h"
#include "dyngraph/error.h"

namespace dg {

Device::Device(const std::string& spec) {
  std::string kind = spec, idx;
  auto colon = spec.find(':');
  if (colon != std::string::npos) {
    kind = spec.substr(0, colon);
    idx = spec.substr(colon + 1);
  }
  if (kind == "cpu") {
    type = DeviceType::CPU;
  } else if (kind == "cuda") {
    type = DeviceType::CUDA;
  } else {
    DG_FAIL(Error, "Expected one of cpu, cuda device type at start of device string: ", spec);
  }
  if (colon != std::string::npos) {
    bool digits = !idx.empty() && idx.size() < 4;
    for (char c : idx) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    DG_CHECK(digits, Error, "Invalid device string: '", spec, "'");
    index = static_cast<int8_t>(std::stoi(idx));
    DG_CHECK(type != DeviceType::CPU || index == 0, Error, "CPU device index must be 0, got ", spec);
  }
}

std::string Device::str() const {
  std::string s = is_cpu() ? "cpu" : "cuda";
  if (index >= 0 && !is_cpu()) s += ":" + std::to_string(index);
  return s;
}

Device resolve_device(Device d) {
  if (d.is_cpu()) d.index = -1;
  else if (d.index < 0) d.index = static_cast<int8_t>(cuda::device_count() > 0 ? cuda::current_device() : 0);
  return d;
}

}  // namespace dg
