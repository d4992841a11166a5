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
}

}  // namespace dg::python
