// Optimizers for C++ training loops: SGD, Adam and AdamW, with PyTorch's
// options, defaults and update rules. step() runs the same fused in-place
// updates as Python's dyngraph.optim (sgd_step_ / adam_step_ in ops.h); the
// optimizer owns the per-parameter state those updates read and write
// (momentum buffers; Adam's step counts and moment estimates). Options use
// libtorch's chained style and can be changed between steps:
//   dg::optim::Adam opt(model->parameters(), dg::optim::AdamOptions(1e-3).weight_decay(1e-4));
//   opt.zero_grad(); loss_backward...; opt.step();
//   opt.options().lr(1e-4);  // a learning-rate schedule
#pragma once

#include <tuple>
#include <utility>
#include <vector>

#include "dyngraph/export.h"
#include "dyngraph/tensor.h"

// DG_OPTION(Options, T, name, default): a chainable option, as libtorch's
// TORCH_ARG: `opts.name()` reads it, `opts.name(value)` sets it and returns
// the options, so settings chain: AdamOptions(1e-3).eps(1e-6).amsgrad(true).
#define DG_OPTION(Options, T, name, default_value) \
 public:                                           \
  Options& name(T value) {                         \
    name##_ = std::move(value);                    \
    return *this;                                  \
  }                                                \
  const T& name() const { return name##_; }        \
                                                   \
 private:                                          \
  T name##_ = default_value

namespace dg {
namespace optim {

using Betas = std::tuple<double, double>;  // Adam's (beta1, beta2)

// The parameters of one optimizer (a single parameter group) and the
// operations every optimizer has.
class DG_API Optimizer {
 public:
  // params: leaf tensors (typically module->parameters()); not empty.
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // Drops the parameters' gradients (set_to_none), or zeroes them.
  void zero_grad(bool set_to_none = true);
  const std::vector<Tensor>& parameters() const { return params_; }

 protected:
  std::vector<Tensor> params_;
};

struct DG_API SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  DG_OPTION(SGDOptions, double, lr, 1e-3);
  DG_OPTION(SGDOptions, double, momentum, 0);
  DG_OPTION(SGDOptions, double, dampening, 0);
  DG_OPTION(SGDOptions, double, weight_decay, 0);
  DG_OPTION(SGDOptions, bool, nesterov, false);
  DG_OPTION(SGDOptions, bool, maximize, false);
};

// Stochastic gradient descent, optionally with (Nesterov) momentum and L2
// weight decay.
class DG_API SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  void step() override;
  SGDOptions& options() { return options_; }
  const SGDOptions& options() const { return options_; }
  // Per parameter: its momentum buffer (undefined before its first update,
  // and always without momentum).
  const std::vector<Tensor>& momentum_buffers() const { return momentum_buffers_; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;
};

struct DG_API AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  DG_OPTION(AdamOptions, double, lr, 1e-3);
  DG_OPTION(AdamOptions, Betas, betas, Betas(0.9, 0.999));
  DG_OPTION(AdamOptions, double, eps, 1e-8);
  DG_OPTION(AdamOptions, double, weight_decay, 0);  // L2 penalty added to the gradient
  DG_OPTION(AdamOptions, bool, amsgrad, false);
  DG_OPTION(AdamOptions, bool, maximize, false);
};

struct DG_API AdamWOptions {
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  DG_OPTION(AdamWOptions, double, lr, 1e-3);
  DG_OPTION(AdamWOptions, Betas, betas, Betas(0.9, 0.999));
  DG_OPTION(AdamWOptions, double, eps, 1e-8);
  DG_OPTION(AdamWOptions, double, weight_decay, 1e-2);  // decoupled: param *= 1 - lr * weight_decay
  DG_OPTION(AdamWOptions, bool, amsgrad, false);
  DG_OPTION(AdamWOptions, bool, maximize, false);
};

// Adam's state for one parameter, as PyTorch keeps it: all undefined until
// the parameter's first update. step is a 0-d float tensor (float64 when
// that is the default dtype); max_exp_avg_sq exists only with amsgrad.
struct AdamParamState {
  Tensor step, exp_avg, exp_avg_sq, max_exp_avg_sq;
};

class DG_API Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = AdamOptions());
  void step() override;
  AdamOptions& options() { return options_; }
  const AdamOptions& options() const { return options_; }
  const std::vector<AdamParamState>& state() const { return state_; }  // per parameter

 private:
  AdamOptions options_;
  std::vector<AdamParamState> state_;
};

// Adam with decoupled weight decay (Loshchilov & Hutter).
class DG_API AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = AdamWOptions());
  void step() override;
  AdamWOptions& options() { return options_; }
  const AdamWOptions& options() const { return options_; }
  const std::vector<AdamParamState>& state() const { return state_; }  // per parameter

 private:
  AdamWOptions options_;
  std::vector<AdamParamState> state_;
};

}  // namespace optim
}  // namespace dg

#undef DG_OPTION
