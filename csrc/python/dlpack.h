// The DLPack ABI (https://dmlc.github.io/dlpack/latest/c_api.html), written
// from the spec rather than vendored: only the parts csrc/python/dlpack.cpp
// uses. These structs cross library boundaries (NumPy, PyTorch, CuPy, JAX
// read and write them), so their layout must match the C definitions byte
// for byte; the static_asserts below pin it for 64-bit platforms.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dg::python::dlpack {

// DLDeviceType is a C enum (int-sized): only the values dyngraph maps.
constexpr int32_t kDLCPU = 1;
constexpr int32_t kDLCUDA = 2;
constexpr int32_t kDLCUDAHost = 3;      // pinned host memory: plain CPU memory to us
constexpr int32_t kDLCUDAManaged = 13;  // unified memory: addressable as CUDA memory

// DLDataTypeCode values.
constexpr uint8_t kDLInt = 0;
constexpr uint8_t kDLUInt = 1;
constexpr uint8_t kDLFloat = 2;
constexpr uint8_t kDLBfloat = 4;
constexpr uint8_t kDLComplex = 5;
constexpr uint8_t kDLBool = 6;

// DLManagedTensorVersioned::flags bits (DLPack >= 1.0).
constexpr uint64_t kFlagReadOnly = 1ull << 0;
constexpr uint64_t kFlagIsCopied = 1ull << 1;

// The version dyngraph exports (and the newest major version it reads).
constexpr uint32_t kMajorVersion = 1;
constexpr uint32_t kMinorVersion = 0;

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

struct DLDevice {
  int32_t device_type;  // a DLDeviceType value
  int32_t device_id;
};

struct DLDataType {
  uint8_t code;    // a DLDataTypeCode value
  uint8_t bits;    // bits per lane
  uint16_t lanes;  // 1 for every dtype dyngraph has (no vector types)
};

struct DLTensor {
  void* data;  // for CUDA a device pointer; element [0,...] is at data + byte_offset
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;    // ndim entries
  int64_t* strides;  // ndim entries, in elements; null means compact row-major
  uint64_t byte_offset;
};

// The legacy (pre-1.0) owner: capsule name "dltensor".
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);  // may be null
};

// The 1.0 owner: capsule name "dltensor_versioned". version comes first so a
// consumer can check it before reading anything else.
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);  // may be null
  uint64_t flags;
  DLTensor dl_tensor;
};

static_assert(sizeof(void*) != 8 || sizeof(DLTensor) == 48, "DLTensor layout");
static_assert(sizeof(void*) != 8 || offsetof(DLTensor, ndim) == 16, "DLTensor layout");
static_assert(sizeof(void*) != 8 || offsetof(DLTensor, shape) == 24, "DLTensor layout");
static_assert(sizeof(void*) != 8 || sizeof(DLManagedTensor) == 64, "DLManagedTensor layout");
static_assert(sizeof(void*) != 8 || offsetof(DLManagedTensorVersioned, flags) == 24, "DLManagedTensorVersioned layout");
static_assert(sizeof(void*) != 8 || offsetof(DLManagedTensorVersioned, dl_tensor) == 32,
              "DLManagedTensorVersioned layout");

}  // namespace dg::python::dlpack
