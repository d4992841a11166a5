// CPU indexing kernels. Indexing ops reduce to element offsets: output
// block b reads (or writes) the input at offsets[b] + rest[r] for each r of
// the dimensions that are not indexed.
#include <cstring>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

template <size_t N>
struct Bytes {
  char b[N];
};

template <size_t N>
void take_n(const IndexArgs& a) {
  using E = Bytes<N>;
  const E* base = reinterpret_cast<const E*>(a.base);
  E* out = reinterpret_cast<E*>(a.values);
  parallel_for(0, a.blocks, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, a.rest_count)), [&](int64_t b0, int64_t e0) {
    for (int64_t b = b0; b < e0; ++b)
      for (int64_t r = 0; r < a.rest_count; ++r) out[b * a.rest_count + r] = base[a.offsets[b] + a.rest[r]];
  });
}

// out[b, r] = base[offsets[b] + rest[r]]: a copy, so the element type doesn't matter.
void take_kernel(const IndexArgs& a) {
  switch (itemsize(a.dtype)) {
    case 1: return take_n<1>(a);
    case 2: return take_n<2>(a);
    case 4: return take_n<4>(a);
    case 8: return take_n<8>(a);
    default: return take_n<16>(a);
  }
}

// base[offsets[b] + rest[r]] (+)= values[b, r]; serial, so repeated offsets accumulate correctly.
void put_kernel(const IndexArgs& a) {
  DG_DISPATCH_ALL(a.dtype, "index_put_", [&] {
    using T = scalar_t;
    T* base = reinterpret_cast<T*>(a.base);
    const T* v = reinterpret_cast<const T*>(a.values);
    for (int64_t b = 0; b < a.blocks; ++b)
      for (int64_t r = 0; r < a.rest_count; ++r) {
        T& dst = base[a.offsets[b] + a.rest[r]];
        dst = a.accumulate ? T(dst + v[b * a.rest_count + r]) : v[b * a.rest_count + r];
      }
  });
}

// Coordinates of the nonzero elements of a dense tensor, row-major order.
Tensor nonzero_kernel(const Tensor& t) {
  const int64_t n = t.numel(), nd = t.dim();
  std::vector<int64_t> hits;
  DG_DISPATCH_ALL(t.dtype(), "nonzero", [&] {
    const scalar_t* p = reinterpret_cast<const scalar_t*>(t.data_ptr());
    for (int64_t i = 0; i < n; ++i)
      if (convert<bool>(p[i])) hits.push_back(i);
  });
  Tensor out = empty({static_cast<int64_t>(hits.size()), nd}, TensorOptions(kInt64));
  int64_t* o = out.data_ptr<int64_t>();
  for (size_t h = 0; h < hits.size(); ++h) {
    int64_t rest = hits[h];
    for (int64_t d = nd - 1; d >= 0; --d) {
      o[h * nd + d] = rest % t.sizes()[d];
      rest /= t.sizes()[d];
    }
  }
  return out;
}

}  // namespace

void register_index_kernels(KernelTable& t) {
  t.take = &take_kernel;
  t.put = &put_kernel;
  t.nonzero = &nonzero_kernel;
}

}  // namespace dg::cpu
