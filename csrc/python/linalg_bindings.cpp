// Bindings of matmul and the other products.
#include "dyngraph/autocast.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

void bind_linalg(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  using T = const Tensor&;
  using S = const Scalar&;
#define DG_BIND_PRODUCT(name)                                                      \
  m.def(#name, [](T a, T b) { return name(a, b); }, py::arg("input"), py::arg("other")); \
  cls.def(#name, [](T a, T b) { return name(a, b); });
  DG_BIND_PRODUCT(matmul) DG_BIND_PRODUCT(mm) DG_BIND_PRODUCT(bmm) DG_BIND_PRODUCT(mv) DG_BIND_PRODUCT(dot)
  DG_BIND_PRODUCT(vdot) DG_BIND_PRODUCT(outer)
#undef DG_BIND_PRODUCT
  m.def("ger", [](T a, T b) { return outer(a, b); });
  cls.def("ger", [](T a, T b) { return outer(a, b); });
  cls.def("addmm_", [](Tensor in, T a, T b, S beta, S alpha) {
            autocast::ExcludeGuard exact;  // in-place ops are not autocast, as in PyTorch
            return copy_(in, addmm(in, a, b, beta, alpha));
          },
          py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  cls.def("__matmul__", [](T a, T b) { return matmul(a, b); }, py::is_operator());
  cls.def("__rmatmul__", [](T a, T b) { return matmul(b, a); }, py::is_operator());
  m.def("addmm", [](T in, T a, T b, S beta, S alpha) { return addmm(in, a, b, beta, alpha); }, py::arg("input"),
        py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  cls.def("addmm", [](T in, T a, T b, S beta, S alpha) { return addmm(in, a, b, beta, alpha); }, py::arg("mat1"),
          py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  m.def("addmv", [](T in, T a, T v, S beta, S alpha) { return addmv(in, a, v, beta, alpha); }, py::arg("input"),
        py::arg("mat"), py::arg("vec"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  m.def("baddbmm", [](T in, T a, T b, S beta, S alpha) { return baddbmm(in, a, b, beta, alpha); }, py::arg("input"),
        py::arg("batch1"), py::arg("batch2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  cls.def("baddbmm", [](T in, T a, T b, S beta, S alpha) { return baddbmm(in, a, b, beta, alpha); },
          py::arg("batch1"), py::arg("batch2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  m.def("_linear", [](T x, T w, std::optional<Tensor> b) { return linear(x, w, b); });
  m.def("trace", [](T t) { return trace(t); });
  cls.def("trace", [](T t) { return trace(t); });
  m.def("diag", [](T t, int64_t d) { return diag(t, d); }, py::arg("input"), py::arg("diagonal") = 0);
  cls.def("diag", [](T t, int64_t d) { return diag(t, d); }, py::arg("diagonal") = 0);
  m.def("tril", [](T t, int64_t d) { return tril(t, d); }, py::arg("input"), py::arg("diagonal") = 0);
  m.def("triu", [](T t, int64_t d) { return triu(t, d); }, py::arg("input"), py::arg("diagonal") = 0);
  cls.def("tril", [](T t, int64_t d) { return tril(t, d); }, py::arg("diagonal") = 0);
  cls.def("triu", [](T t, int64_t d) { return triu(t, d); }, py::arg("diagonal") = 0);
  cls.def("tril_", [](Tensor t, int64_t d) { return t.copy_(tril(t, d)); }, py::arg("diagonal") = 0);
  cls.def("triu_", [](Tensor t, int64_t d) { return t.copy_(triu(t, d)); }, py::arg("diagonal") = 0);
  // LAPACK primitives (no autograd): dyngraph.linalg composes the public ops on them.
  auto as_tuple = [](std::vector<Tensor> v) { return py::tuple(py::cast(v)); };
  m.def("_linalg_lu_factor", [=](T A) { return as_tuple(linalg_lu_factor_raw(A)); });
  m.def("_linalg_lu_solve", [](T LU, T piv, T B, bool adjoint) { return linalg_lu_solve_raw(LU, piv, B, adjoint); });
  m.def("_linalg_cholesky", [=](T A, bool upper) { return as_tuple(linalg_cholesky_raw(A, upper)); });
  m.def("_linalg_geqrf", [=](T A) { return as_tuple(linalg_geqrf_raw(A)); });
  m.def("_linalg_householder_product", [](T A, T tau) { return linalg_householder_product_raw(A, tau); });
  m.def("_linalg_eigh", [=](T A, bool upper, bool vectors) { return as_tuple(linalg_eigh_raw(A, upper, vectors)); });
  m.def("_linalg_svd", [=](T A, bool full, bool vectors) { return as_tuple(linalg_svd_raw(A, full, vectors)); });
  m.def("_linalg_eig", [=](T A, bool vectors) { return as_tuple(linalg_eig_raw(A, vectors)); });
  m.def("_linalg_triangular_solve", [](T A, T B, bool upper, bool adjoint, bool unit) {
    return linalg_triangular_solve_raw(A, B, upper, adjoint, unit);
  });
}

}  // namespace dg::python
