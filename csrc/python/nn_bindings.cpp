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
  m.def("_interpolate",
        [](T x, I size, const std::string& mode, bool align_corners, const std::vector<double>& scales,
           bool antialias) { return interpolate(x, size, mode, align_corners, scales, antialias); });
  m.def("_grid_sample", [](T x, T grid, const std::string& mode, const std::string& padding, bool align) {
    return grid_sample(x, grid, mode, padding, align);
  });
  m.def("_adaptive_avg_pool", [](T x, I size) { return adaptive_avg_pool(x, size); });
  m.def("_adaptive_max_pool", [](T x, I size) { return adaptive_max_pool(x, size); });
  m.def("_fractional_max_pool", [](T x, I k, I size, T samples) { return fractional_max_pool(x, k, size, samples); });
  m.def("_avg_pool", [](T x, I k, I s, I p, bool ceil, bool count_pad, std::optional<int64_t> divisor) {
    return avg_pool(x, k, s, p, ceil, count_pad, divisor);
  });
  m.def("layer_norm",
        [](T x, I shape, std::optional<Tensor> w, std::optional<Tensor> b, double eps) {
          return layer_norm(x, shape, w, b, eps);
        },
        py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
        py::arg("eps") = 1e-5);
  using OptT = std::optional<Tensor>;
  m.def("batch_norm",
        [](T x, OptT rm, OptT rv, OptT w, OptT b, bool training, double momentum, double eps) {
          return batch_norm(x, rm, rv, w, b, training, momentum, eps);
        },
        py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight") = py::none(),
        py::arg("bias") = py::none(), py::arg("training") = false, py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  // One recurrent layer and direction: [output, h_n(, c_n)].
  m.def("_recurrent_layer",
        [](const std::string& mode, T x, T h0, OptT c0, T w_ih, T w_hh, OptT b_ih, OptT b_hh, OptT w_hr,
           bool reverse, OptT lengths) {
          auto value = [](const OptT& t) { return t ? *t : Tensor(); };
          return recurrent_layer(mode, x, h0, value(c0), w_ih, w_hh, value(b_ih), value(b_hh), value(w_hr), reverse,
                                 value(lengths));
        },
        py::arg("mode"), py::arg("input"), py::arg("hx"), py::arg("cx"), py::arg("weight_ih"), py::arg("weight_hh"),
        py::arg("bias_ih"), py::arg("bias_hh"), py::arg("weight_hr"), py::arg("reverse"),
        py::arg("lengths") = py::none());
  m.def("_rms_norm", [](T x, I shape, OptT w, std::optional<double> eps) { return rms_norm(x, shape, w, eps); });
  m.def("_group_norm", [](T x, int64_t groups, OptT w, OptT b, double eps) { return group_norm(x, groups, w, b, eps); });
  m.def("_instance_norm", [](T x, OptT rm, OptT rv, OptT w, OptT b, bool use_input_stats, double momentum,
                             double eps) { return instance_norm(x, rm, rv, w, b, use_input_stats, momentum, eps); });
  m.def("_local_response_norm",
        [](T x, int64_t size, double alpha, double beta, double k) { return local_response_norm(x, size, alpha, beta, k); });
  m.def("_nll_loss", [](T x, T t, OptT w, const std::string& reduction, int64_t ignore_index) {
    return nll_loss(x, t, w, reduction, ignore_index);
  });
  m.def("_ctc_loss", [](T lp, T targets, std::vector<int64_t> input_lengths, std::vector<int64_t> target_lengths,
                        int64_t blank, const std::string& reduction, bool zero_infinity) {
    return ctc_loss(lp, targets, input_lengths, target_lengths, blank, reduction, zero_infinity);
  });
  m.def("_embedding_bag", [](T weight, T input, OptT offsets, const std::string& mode, OptT per_sample_weights,
                             bool include_last_offset, std::optional<int64_t> padding_idx, bool scale_grad_by_freq) {
    return embedding_bag(weight, input, offsets, mode, per_sample_weights, include_last_offset, padding_idx,
                         scale_grad_by_freq);
  });
  m.def("_cross_entropy", [](T x, T t, OptT w, const std::string& reduction, int64_t ignore_index, double smoothing) {
    return cross_entropy(x, t, w, reduction, ignore_index, smoothing);
  });
  // Optimizer steps: lists of tensors (None for a missing grad or buffer), PyTorch's hyperparameters.
  m.def("_sgd_step_",
        [](const std::vector<OptT>& params, const std::vector<OptT>& grads, std::vector<OptT> bufs, double lr,
           double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) {
          auto unwrap = [](const std::vector<OptT>& v) {
            std::vector<Tensor> out;
            for (const auto& t : v) out.push_back(t ? *t : Tensor());
            return out;
          };
          std::vector<Tensor> buffers = unwrap(bufs);
          sgd_step_(unwrap(params), unwrap(grads), buffers, SgdOptions{lr, momentum, dampening, weight_decay, nesterov, maximize});
          py::list out;
          for (const Tensor& t : buffers) out.append(t.defined() ? py::cast(t) : py::none());
          return out;
        });
  m.def("_adam_step_",
        [](const std::vector<OptT>& params, const std::vector<OptT>& grads, const std::vector<Tensor>& exp_avgs,
           const std::vector<Tensor>& exp_avg_sqs, const std::vector<OptT>& max_exp_avg_sqs,
           const std::vector<Tensor>& steps, double lr, double beta1, double beta2, double eps, double weight_decay,
           bool amsgrad, bool maximize, bool decoupled) {
          auto unwrap = [](const std::vector<OptT>& v) {
            std::vector<Tensor> out;
            for (const auto& t : v) out.push_back(t ? *t : Tensor());
            return out;
          };
          adam_step_(unwrap(params), unwrap(grads), exp_avgs, exp_avg_sqs, unwrap(max_exp_avg_sqs), steps,
                     AdamOptions{lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled});
        });
}

}  // namespace dg::python
