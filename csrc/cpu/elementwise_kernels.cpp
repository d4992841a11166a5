// CPU copy (with dtype conversion) and fill kernels.
#include <cstring>

#include "core/dispatch.h"
#include "cpu/loop.h"
#include "kernels/convert.h"
#include "kernels/elementwise_ops.h"
#include "kernels/math.h"

namespace dg::cpu {

namespace {

void copy_kernel(TensorIter& it) {
  if (it.dtypes[0] == it.dtypes[1] && it.is_contiguous()) {
    const int64_t size = itemsize(it.dtypes[0]);
    parallel_for(0, it.numel, kGrainSize * 4, [&](int64_t b, int64_t e) {
      std::memcpy(it.data[0] + b * size, it.data[1] + b * size, static_cast<size_t>((e - b) * size));
    });
    return;
  }
  DG_DISPATCH_ALL(it.dtypes[0], "copy_", [&] {
    using out_t = scalar_t;
    DG_DISPATCH_ALL(it.dtypes[1], "copy_", [&] {
      using in_t = scalar_t;
      elementwise<out_t, in_t, 1>(it, [](in_t v) { return convert<out_t>(v); });
    });
  });
}

void fill_kernel(TensorIter& it, const Scalar& value) {
  DG_DISPATCH_ALL(it.dtypes[0], "fill_", [&] {
    using T = scalar_t;
    const T v = value.to<T>();
    for_each(it, [v](char** data, const int64_t* s, int64_t n) {
      if (s[0] == static_cast<int64_t>(sizeof(T))) {
        T* out = reinterpret_cast<T*>(data[0]);
        for (int64_t k = 0; k < n; ++k) out[k] = v;
      } else {
        for (int64_t k = 0; k < n; ++k) std::memcpy(data[0] + k * s[0], &v, sizeof(T));
      }
    });
  });
}

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
  t.copy = &copy_kernel;
  t.fill = &fill_kernel;
}

}  // namespace dg::cpu
