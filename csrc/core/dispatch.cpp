#include "core/dispatch.h"

#include <string>

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

BinaryDtypes binary_dtypes(BinaryOp op) {
  static const BinaryDtypes table[] = {
#define DG_ENTRY(name, Functor, dtypes, result) BinaryDtypes::dtypes,
      DG_BINARY_OPS(DG_ENTRY)
#undef DG_ENTRY
  };
  return table[static_cast<int>(op)];
}
bool binary_returns_bool(BinaryOp op) {
  static const bool table[] = {
#define DG_ENTRY(name, Functor, dtypes, result) std::string(#result) == "BOOL",
      DG_BINARY_OPS(DG_ENTRY)
#undef DG_ENTRY
  };
  return table[static_cast<int>(op)];
}

UnaryKind unary_kind(UnaryOp op) {
  static const UnaryKind kinds[] = {
#define DG_KIND_ENTRY(name, Functor, kind) UnaryKind::kind,
      DG_UNARY_OPS(DG_KIND_ENTRY)
#undef DG_KIND_ENTRY
  };
  return kinds[static_cast<int>(op)];
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
