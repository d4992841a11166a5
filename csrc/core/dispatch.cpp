#include "core/dispatch.h"
#include "dyngraph/settings.h"

#include <atomic>
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

namespace {
std::atomic<bool> g_deterministic{false};
}
void set_deterministic_algorithms(bool on) { g_deterministic = on; }
bool deterministic_algorithms() { return g_deterministic; }

KernelTable& kernel_table(DeviceType type) {
  static KernelTable* tables = [] {
    auto* t = new KernelTable[kNumDeviceTypes];
    cpu::register_kernels(t[static_cast<int>(DeviceType::CPU)]);
#ifdef DG_WITH_CUDA
    cuda::register_kernels(t[static_cast<int>(DeviceType::CUDA)]);  // no driver call: just pointers
#endif
    return t;
  }();
  return tables[static_cast<int>(type)];
}

std::vector<std::string> missing_kernels(DeviceType type) {
  const KernelTable& t = kernel_table(type);
  std::vector<std::string> missing;
  auto need = [&](const void* fn, const std::string& name) {
    if (!fn) missing.push_back(name);
  };
  for (int i = 0; i < static_cast<int>(BinaryOp::COUNT); ++i) {
    need(reinterpret_cast<const void*>(t.binary[i]), std::string("binary.") + op_name(static_cast<BinaryOp>(i)));
    need(reinterpret_cast<const void*>(t.binary_scalar[i]), std::string("binary_scalar.") + op_name(static_cast<BinaryOp>(i)));
  }
  for (int i = 0; i < static_cast<int>(UnaryOp::COUNT); ++i)
    need(reinterpret_cast<const void*>(t.unary[i]), std::string("unary.") + op_name(static_cast<UnaryOp>(i)));
  for (int i = 0; i < static_cast<int>(RandomOp::COUNT); ++i)
    need(reinterpret_cast<const void*>(t.random[i]), "random." + std::to_string(i));
  for (int i = 0; i < static_cast<int>(ReduceOp::COUNT); ++i)
    need(reinterpret_cast<const void*>(t.reduce[i]), "reduce." + std::to_string(i));
#define DG_SLOT(name) need(reinterpret_cast<const void*>(t.name), #name);
  DG_SLOT(copy) DG_SLOT(fill) DG_SLOT(arange) DG_SLOT(linspace) DG_SLOT(take) DG_SLOT(put) DG_SLOT(nonzero)
  DG_SLOT(sort) DG_SLOT(scan) DG_SLOT(softmax) DG_SLOT(where) DG_SLOT(gemm) DG_SLOT(im2col) DG_SLOT(col2im)
  DG_SLOT(max_pool) DG_SLOT(resample) DG_SLOT(resample_backward) DG_SLOT(taps) DG_SLOT(grid_taps)
  DG_SLOT(recurrent_step)
  DG_SLOT(recurrent_step_backward) DG_SLOT(row_norm) DG_SLOT(row_norm_backward) DG_SLOT(channel_moments) DG_SLOT(nll) DG_SLOT(nll_scatter) DG_SLOT(ctc) DG_SLOT(ctc_backward)
  DG_SLOT(embedding_bag) DG_SLOT(embedding_bag_backward)
  DG_SLOT(sgd) DG_SLOT(adam)
#undef DG_SLOT
  return missing;
}

}  // namespace dg
