// Where a tensor's memory lives: the CPU or one CUDA GPU.
#pragma once

#include <cstdint>
#include <string>

#include "dyngraph/export.h"

namespace dg {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
constexpr int kNumDeviceTypes = 2;

struct DG_API Device {
  DeviceType type = DeviceType::CPU;
  int8_t index = -1;  // -1: "the current device" (always 0 for the CPU)

  Device() = default;
  Device(DeviceType t, int idx = -1) : type(t), index(static_cast<int8_t>(idx)) {}
  // "cpu", "cuda", "cuda:1"; throws ValueError on anything else.
  explicit Device(const std::string& spec);
  Device(const char* spec) : Device(std::string(spec)) {}

  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  std::string str() const;  // "cpu", "cuda:0"
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
};

const Device kCPU{DeviceType::CPU};

// The concrete device: "cuda" becomes "cuda:<current device>", and the CPU's
// index is always -1.
DG_API Device resolve_device(Device d);

}  // namespace dg
