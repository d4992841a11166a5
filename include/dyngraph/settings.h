// Process-wide switches of the kernels, as torch.get_num_threads /
// set_num_threads and torch.use_deterministic_algorithms.
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

}  // namespace dg
