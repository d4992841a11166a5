// The CPU backend as dyngraph sees it.
#pragma once

#include <string>

#include "dyngraph/export.h"

namespace dg::cpu {

// The widest x86 vector instruction set the CPU kernels use on this machine,
// chosen when the library loads: "AVX512", "AVX2" or "DEFAULT" (PyTorch's
// names, as torch.backends.cpu.get_cpu_capability()).
DG_API std::string capability();

}  // namespace dg::cpu
