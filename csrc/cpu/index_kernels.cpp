// CPU indexing kernels.
#include "core/dispatch.h"

namespace dg::cpu {

namespace {

// Serial: several i may hit one index, so the adds must not race.
void index_add_1d_kernel(Tensor& dst, const Tensor& index, const Tensor& src) {
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t n = index.numel(), size = dst.numel();
  DG_DISPATCH_ALL(dst.dtype(), "index_add", [&] {
    using T = scalar_t;
    T* d = reinterpret_cast<T*>(dst.data_ptr());
    const T* s = reinterpret_cast<const T*>(src.data_ptr());
    for (int64_t i = 0; i < n; ++i) {
      int64_t j = idx[i];
      DG_CHECK(j >= 0 && j < size, IndexError, "index ", j, " is out of bounds for dimension 0 with size ", size);
      d[j] = d[j] + s[i];
    }
  });
}

}  // namespace

void register_index_kernels(KernelTable& t) { t.index_add_1d = &index_add_1d_kernel; }

}  // namespace dg::cpu
