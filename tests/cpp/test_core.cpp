// C++ unit tests of the tensor core through the public headers only:
// shapes, strides, views, the loop engine (broadcasting, strided operands,
// promotion), factories and errors.
#include <dyngraph/dyngraph.h>

#include "check.h"

using namespace dg;

static bool close(double a, double b) { return std::fabs(a - b) < 1e-6; }

int main() {
  run_test("shapes and strides", [] {
    Tensor t = zeros({2, 3, 4});
    CHECK(t.dim() == 3 && t.numel() == 24);
    CHECK(t.strides().equals({12, 4, 1}));
    CHECK(t.dtype() == kFloat32 && t.is_contiguous());
    Tensor p = t.permute({2, 0, 1});
    CHECK(p.sizes().equals({4, 2, 3}) && p.strides().equals({1, 12, 4}) && !p.is_contiguous());
    CHECK(p.data_ptr() == t.data_ptr());
  });

  run_test("views share storage and write through", [] {
    Tensor a = arange(12).to(kFloat64).view({3, 4});
    Tensor col = a.select(1, 2);
    CHECK(col.strides().equals({4}) && col.storage_offset() == 2);
    col.fill_(-1.0);
    CHECK(close(a.select(0, 2).select(0, 2).item<double>(), -1.0));
    Tensor r = a.t().reshape({12});  // not viewable: a copy
    CHECK(r.is_contiguous() && r.data_ptr() != a.data_ptr());
    CHECK(close(r.select(0, 1).item<double>(), 4.0));
  });

  run_test("loop engine: broadcasting, strides, promotion", [] {
    Tensor a = ones({2, 3}, kFloat64);
    Tensor b = arange(3).to(kFloat64);
    Tensor c = (a + b) * 2.0;  // the README example
    CHECK(close(c.select(0, 1).select(0, 2).item<double>(), 6.0));
    Tensor i = arange(6).view({2, 3});
    Tensor f = i.t() + 0.5;  // int64 + python float -> default float, transposed layout kept
    CHECK(f.dtype() == kFloat32 && f.sizes().equals({3, 2}) && f.strides().equals({1, 3}));
    CHECK(close(f.select(0, 2).select(0, 1).item<double>(), 5.5));
    Tensor q = arange(4) / 2;  // true division
    CHECK(q.dtype() == kFloat32 && close(q.select(0, 3).item<double>(), 1.5));
    CHECK((arange(3) < 2).dtype() == kBool);
    CHECK(promote_types(kUInt8, kInt8) == kInt16);
  });

  run_test("in-place ops", [] {
    Tensor a = zeros({4});
    a += 1.5;
    a *= ones({4}) * 2.0;
    CHECK(close(a.select(0, 0).item<double>(), 3.0));
    Tensor n = zeros({3}, kInt64);
    CHECK_THROWS(n.add_(0.5), Error);  // float result can't be written into int64
  });

  run_test("random numbers are reproducible", [] {
    manual_seed(7);
    Tensor a = rand({5});
    manual_seed(7);
    Tensor b = rand({5});
    CHECK(close(a.select(0, 4).item<double>(), b.select(0, 4).item<double>()));
  });

  run_test("errors are typed", [] {
    CHECK_THROWS(zeros({2, 3}).select(0, 5), IndexError);
    CHECK_THROWS(zeros({2, 3}) + zeros({4}), Error);
    CHECK_THROWS(zeros({-1}), Error);
    CHECK_THROWS(zeros({int64_t(1) << 40, int64_t(1) << 40}), Error);  // numel overflows, never allocates
  });

  return report();
}
