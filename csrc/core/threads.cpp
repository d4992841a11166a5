
#include "dyngraph/settings.h"

#include "dyngraph/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dg {

int get_num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  DG_CHECK(n > 0, ValueError, "set_num_threads expects a positive integer, got ", n);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
}

}  // namespace dg
