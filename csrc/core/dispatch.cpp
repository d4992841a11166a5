#include "core/dispatch.h"

namespace dg {

const char* op_name(BinaryOp op) {
  static const char* const names[] = {
#define DG_NAME_ENTRY(name, ...) #name,
      DG_BINARY_OPS(DG_NAME_ENTRY)
#undef DG_NAME_ENTRY
  };
  return names[static_cast<int>(op)];
}
const char* op_name(UnaryOp op) {
  static const char* const names[] = {
#define DG_NAME_ENTRY(name, ...) #name,
      DG_UNARY_OPS(DG_NAME_ENTRY)
#undef DG_NAME_ENTRY
  };
  return names[static_cast<int>(op)];
}

KernelTable& kernel_table(DeviceType type) {
  static KernelTable* tables = [] {
    auto* t = new KernelTable[kNumDeviceTypes];
    cpu::register_kernels(t[static_cast<int>(DeviceType::CPU)]);
    return t;
  }();
  return tables[static_cast<int>(type)];
}

}  // namespace dg
