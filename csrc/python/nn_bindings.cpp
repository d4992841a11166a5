// Bindings of the neural-network ops that nn.functional wraps.
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

void bind_nn(py::module_& m) {
  using T = const Tensor&;
  using I = IntArrayRef;
  m.def("_im2col", [](T x, I k, I d, I p, I s) { return im2col(x, k, d, p, s); }, py::arg("input"),
        py::arg("kernel_size"), py::arg("dilation"), py::arg("padding"), py::arg("stride"));
  m.def("_col2im", [](T x, I o, I k, I d, I p, I s) { return col2im(x, o, k, d, p, s); }, py::arg("input"),
        py::arg("output_size"), py::arg("kernel_size"), py::arg("dilation"), py::arg("padding"), py::arg("stride"));
  m.def("convolution",
        [](T x, T w, std::optional<Tensor> b, I stride, I padding, I dilation, bool transposed, I output_padding,
           int64_t groups) { return convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups); },
        py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("transposed"), py::arg("output_padding"), py::arg("groups"));
  m.def("_max_pool", [](T x, I k, I s, I p, I d, bool ceil) { return max_pool(x, k, s, p, d, ceil); });
  m.def("layer_norm",
        [](T x, I shape, std::optional<Tensor> w, std::optional<Tensor> b, double eps) {
          return layer_norm(x, shape, w, b, eps);
        },
        py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
        py::arg("eps") = 1e-5);
}

}  // namespace dg::python
