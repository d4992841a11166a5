// The optimizers of optim.h. Each step gathers the parameters that have a
// gradient together with their state, and hands the lists to one fused
// update (ops.h), as Python's dyngraph.optim does; state is created lazily
// at a parameter's first update, as in PyTorch.
#include "dyngraph/optim.h"

#include "api/zero_grad.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {
namespace optim {

// ---- Optimizer --------------------------------------------------------------------------------

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  DG_CHECK(!params_.empty(), ValueError, "optimizer got an empty parameter list");
  for (const Tensor& p : params_) {
    DG_CHECK(p.defined(), ValueError, "optimizer got an undefined tensor as a parameter");
    DG_CHECK(is_leaf(p), ValueError, "can't optimize a non-leaf Tensor");
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::zero_grad(bool set_to_none) { detail::zero_grads(params_, set_to_none); }

// ---- SGD ----------------------------------------------------------------------------------------

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params)), options_(options), momentum_buffers_(params_.size()) {
  DG_CHECK(options_.lr() >= 0, ValueError, "Invalid learning rate: ", options_.lr());
  DG_CHECK(options_.momentum() >= 0, ValueError, "Invalid momentum value: ", options_.momentum());
  DG_CHECK(options_.weight_decay() >= 0, ValueError, "Invalid weight_decay value: ", options_.weight_decay());
  DG_CHECK(!options_.nesterov() || (options_.momentum() > 0 && options_.dampening() == 0), ValueError,
           "Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard no_grad;
  dg::SgdOptions fused;
  fused.lr = options_.lr();
  fused.momentum = options_.momentum();
  fused.dampening = options_.dampening();
  fused.weight_decay = options_.weight_decay();
  fused.nesterov = options_.nesterov();
  fused.maximize = options_.maximize();
  bool use_momentum = fused.momentum != 0;

  // The lists are parallel, over the parameters that have a gradient; a
  // buffer the update creates (at a parameter's first step) comes back in
  // the list and is kept.
  std::vector<Tensor> params, grads, buffers;
  std::vector<size_t> positions;  // of each updated parameter in params_
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = grad(params_[i]);
    if (!g.defined()) continue;
    params.push_back(params_[i]);
    grads.push_back(g);
    buffers.push_back(momentum_buffers_[i]);  // undefined without momentum
    positions.push_back(i);
  }
  if (params.empty()) return;
  sgd_step_(params, grads, buffers, fused);
  if (use_momentum)
    for (size_t k = 0; k < positions.size(); ++k) momentum_buffers_[positions[k]] = buffers[k];
}

// ---- Adam and AdamW -------------------------------------------------------------------------------

namespace {

template <class Options>
void check_adam_options(const Options& o) {
  DG_CHECK(o.lr() >= 0, ValueError, "Invalid learning rate: ", o.lr());
  DG_CHECK(o.eps() >= 0, ValueError, "Invalid epsilon value: ", o.eps());
  DG_CHECK(std::get<0>(o.betas()) >= 0 && std::get<0>(o.betas()) < 1, ValueError,
           "Invalid beta parameter at index 0: ", std::get<0>(o.betas()));
  DG_CHECK(std::get<1>(o.betas()) >= 0 && std::get<1>(o.betas()) < 1, ValueError,
           "Invalid beta parameter at index 1: ", std::get<1>(o.betas()));
  DG_CHECK(o.weight_decay() >= 0, ValueError, "Invalid weight_decay value: ", o.weight_decay());
}

template <class Options>
dg::AdamOptions fused_adam_options(const Options& o, bool decoupled_weight_decay) {
  dg::AdamOptions fused;
  fused.lr = o.lr();
  fused.beta1 = std::get<0>(o.betas());
  fused.beta2 = std::get<1>(o.betas());
  fused.eps = o.eps();
  fused.weight_decay = o.weight_decay();
  fused.amsgrad = o.amsgrad();
  fused.maximize = o.maximize();
  fused.decoupled_weight_decay = decoupled_weight_decay;
  return fused;
}

// One Adam/AdamW update of every parameter that has a gradient; creates a
// parameter's state at its first update.
void adam_update(const std::vector<Tensor>& all_params, std::vector<AdamParamState>& state,
                 const dg::AdamOptions& options) {
  NoGradGuard no_grad;
  // The step counters' dtype: float64 when that is the default dtype, else float32 (as PyTorch).
  Dtype step_dtype = default_dtype() == kFloat64 ? kFloat64 : kFloat32;
  std::vector<Tensor> params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps;
  for (size_t i = 0; i < all_params.size(); ++i) {
    const Tensor& p = all_params[i];
    Tensor g = grad(p);
    if (!g.defined()) continue;
    AdamParamState& s = state[i];
    if (!s.step.defined()) {
      s.step = scalar_tensor(0.0, step_dtype);
      s.exp_avg = zeros_like(p);
      s.exp_avg_sq = zeros_like(p);
    }
    if (options.amsgrad && !s.max_exp_avg_sq.defined()) s.max_exp_avg_sq = zeros_like(p);
    params.push_back(p);
    grads.push_back(g);
    exp_avgs.push_back(s.exp_avg);
    exp_avg_sqs.push_back(s.exp_avg_sq);
    if (options.amsgrad) max_exp_avg_sqs.push_back(s.max_exp_avg_sq);  // empty list without amsgrad, as Python's
    steps.push_back(s.step);
  }
  if (params.empty()) return;
  adam_step_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, options);
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Optimizer(std::move(params)), options_(options), state_(params_.size()) {
  check_adam_options(options_);
}

void Adam::step() { adam_update(params_, state_, fused_adam_options(options_, /*decoupled_weight_decay=*/false)); }

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Optimizer(std::move(params)), options_(options), state_(params_.size()) {
  check_adam_options(options_);
}

void AdamW::step() { adam_update(params_, state_, fused_adam_options(options_, /*decoupled_weight_decay=*/true)); }

}  // namespace optim
}  // namespace dg
