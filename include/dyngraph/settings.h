// Switches of the kernels, as torch.get_num_threads / set_num_threads,
// torch.use_deterministic_algorithms and torch.set_flush_denormal.
#pragma once

#include "dyngraph/export.h"

namespace dg {

// The CPU thread count of the parallel kernels (OpenMP); n > 0 (ValueError otherwise).
DG_API int get_num_threads();
DG_API void set_num_threads(int n);

// use_deterministic_algorithms: kernels that would otherwise depend on thread
// timing (atomic accumulation on a GPU) take a slower, ordered path.
DG_API void set_deterministic_algorithms(bool on);
DG_API bool deterministic_algorithms();

// Denormal floats read and written as zero (x86 FTZ/DAZ) in the calling
// thread's floating-point unit, as torch.set_flush_denormal; false where the
// CPU has no such mode (nothing changes then).
DG_API bool set_flush_denormal(bool on);

}  // namespace dg
