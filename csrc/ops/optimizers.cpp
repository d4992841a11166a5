// The fused optimizer steps of ops.h: checks and layout handling around one
// kernel call per parameter. Complex parameters update as (real, imag) pairs,
// as in PyTorch.
#include "core/dispatch.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

// A dense real tensor holding t's values (complex viewed as pairs of reals).
Tensor dense_real(const Tensor& t) {
  Tensor d = contiguous(t);
  return is_complex(d.dtype()) ? view_as_real(d) : d;
}

void check_state(const Tensor& param, const Tensor& state, const char* op, const char* what) {
  DG_CHECK(state.defined() && state.sizes().equals(param.sizes()) && state.dtype() == param.dtype() &&
               state.device() == param.device(),
           Error, op, ": expected ", what, " of shape ", param.sizes(), " and dtype ", dtype_name(param.dtype()),
           ", got ", state.defined() ? dtype_name(state.dtype()) : "an undefined tensor");
}

// The fused kernels read param.numel() gradient elements: a gradient of any
// other shape (a hook's, `p.grad.data = ...`, `p.data = ...` after backward)
// must stop here, not be read past its end.
void check_grad(const Tensor& param, const Tensor& grad, const char* op) {
  DG_CHECK(grad.sizes().equals(param.sizes()) && grad.device() == param.device(), Error, op,
           ": the gradient of a parameter of shape ", param.sizes(), " on ", param.device().str(), " has shape ",
           grad.sizes(), " on ", grad.device().str());
}

// Runs update(dense param, dense state...) and writes back anything that had to be copied.
template <class Update>
void with_dense(const std::vector<Tensor*>& tensors, const Update& update) {
  std::vector<Tensor> dense;
  dense.reserve(tensors.size());
  for (Tensor* t : tensors) dense.push_back(t->defined() ? dense_real(*t) : Tensor());
  update(dense);
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i]->defined() && !tensors[i]->is_contiguous()) copy_(*tensors[i], dense[i]);
}

}  // namespace

void sgd_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
               std::vector<Tensor>& momentum_buffers, const SgdOptions& o) {
  DG_CHECK(grads.size() == params.size() && momentum_buffers.size() == params.size(), ValueError,
           "sgd_step_: params, grads and momentum_buffers must have the same length");
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor param = params[i], grad = grads[i];
    DG_CHECK(is_floating_point(param.dtype()) || is_complex(param.dtype()), Error,
             "sgd_step_: parameters must be floating point or complex, got ", dtype_name(param.dtype()));
    check_grad(param, grad, "sgd_step_");
    Tensor& buf = momentum_buffers[i];
    bool first = false;
    if (o.momentum != 0 && !buf.defined()) {
      buf = empty_like(param);
      first = true;
    }
    if (buf.defined()) check_state(param, buf, "sgd_step_", "a momentum buffer");
    Tensor g = to_dtype(grad, param.dtype());
    Tensor none;
    with_dense({&param, &g, o.momentum != 0 ? &buf : &none}, [&](std::vector<Tensor>& d) {
      SgdArgs a{};
      a.dtype = d[0].dtype();
      a.numel = d[0].numel();
      a.param = static_cast<char*>(d[0].data_ptr());
      a.grad = static_cast<const char*>(d[1].data_ptr());
      a.buffer = d[2].defined() ? static_cast<char*>(d[2].data_ptr()) : nullptr;
      a.first_step = first;
      a.lr = o.lr;
      a.momentum = o.momentum;
      a.dampening = o.dampening;
      a.weight_decay = o.weight_decay;
      a.nesterov = o.nesterov;
      a.maximize = o.maximize;
      if (a.numel) checked_kernel(kernel_table(param.device().type).sgd, "sgd_step_", param.device())(a);
    });
    param.impl()->storage()->bump_version();
  }
}

void adam_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
                const std::vector<Tensor>& exp_avg_sqs, const std::vector<Tensor>& max_exp_avg_sqs,
                const std::vector<Tensor>& state_steps, const AdamOptions& o) {
  const size_t n = params.size();
  DG_CHECK(grads.size() == n && exp_avgs.size() == n && exp_avg_sqs.size() == n && state_steps.size() == n &&
               (!o.amsgrad || max_exp_avg_sqs.size() == n),
           ValueError, "adam_step_: the parameter and state lists must have the same length");
  NoGradGuard no_grad;
  for (size_t i = 0; i < n; ++i) {
    if (!grads[i].defined()) continue;
    Tensor param = params[i], m1 = exp_avgs[i], m2 = exp_avg_sqs[i];
    Tensor mx = o.amsgrad ? max_exp_avg_sqs[i] : Tensor();
    DG_CHECK(is_floating_point(param.dtype()) || is_complex(param.dtype()), Error,
             "adam_step_: parameters must be floating point or complex, got ", dtype_name(param.dtype()));
    check_grad(param, grads[i], "adam_step_");
    check_state(param, m1, "adam_step_", "exp_avg");
    check_state(param, m2, "adam_step_", "exp_avg_sq");
    if (o.amsgrad) check_state(param, mx, "adam_step_", "max_exp_avg_sq");
    Tensor step = state_steps[i];
    DG_CHECK(step.defined() && step.numel() == 1, ValueError, "adam_step_: each state step must be a 1-element tensor");
    add_(step, Scalar(1));
    Tensor g = to_dtype(grads[i], param.dtype());
    with_dense({&param, &g, &m1, &m2, &mx}, [&](std::vector<Tensor>& d) {
      AdamArgs a{};
      a.dtype = d[0].dtype();
      a.numel = d[0].numel();
      a.param = static_cast<char*>(d[0].data_ptr());
      a.grad = static_cast<const char*>(d[1].data_ptr());
      a.exp_avg = static_cast<char*>(d[2].data_ptr());
      a.exp_avg_sq = static_cast<char*>(d[3].data_ptr());
      a.max_exp_avg_sq = d[4].defined() ? static_cast<char*>(d[4].data_ptr()) : nullptr;
      a.step = step.item<double>();
      a.lr = o.lr;
      a.beta1 = o.beta1;
      a.beta2 = o.beta2;
      a.eps = o.eps;
      a.weight_decay = o.weight_decay;
      a.maximize = o.maximize;
      a.decoupled_weight_decay = o.decoupled_weight_decay;
      if (a.numel) checked_kernel(kernel_table(param.device().type).adam, "adam_step_", param.device())(a);
    });
    for (Tensor* t : {&param, &m1, &m2, &mx})
      if (t->defined()) t->impl()->storage()->bump_version();
  }
}

}  // namespace dg
