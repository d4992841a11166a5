// Neural-network modules for C++ programs, shaped like PyTorch's C++
// frontend: dg::nn::Module (named parameters, buffers and submodules,
// train/eval, zero_grad, state dicts), the layers Linear and Conv2d, Flatten,
// the activations ReLU, Tanh, Sigmoid and GELU, and Sequential. Parameter
// names follow Python's ("0.weight" for a Sequential's first layer), so a
// C++ model and the same Python model share state dicts and checkpoints
// (serialize.h). Modules are held by std::shared_ptr and map a Tensor to a
// Tensor with forward().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dyngraph/export.h"
#include "dyngraph/tensor.h"

namespace dg {
namespace nn {

// (name, value) pairs in registration order, as named_parameters() returns.
template <class T>
using NamedList = std::vector<std::pair<std::string, T>>;
// Parameters and buffers by their dotted names; what dg::save writes.
using StateDict = std::map<std::string, Tensor>;

// What load_state_dict(..., strict = false) could not match.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;     // in the module, not in the state dict
  std::vector<std::string> unexpected_keys;  // in the state dict, not in the module
};

class DG_API Module {
 public:
  // name: the class name, used in messages ("Linear", "Sequential").
  explicit Module(std::string name = "Module");
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }

  // The computation. Modules without one raise an error, as Python's do.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // Registers a tensor as a parameter under `name` (no dots, unique within
  // this module), sets its requires_grad, and returns it (the same tensor:
  // a handle to the registered memory).
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  // Registers state that is saved in the state dict but not trained
  // (running statistics and the like).
  Tensor register_buffer(const std::string& name, Tensor tensor);
  // Registers a submodule; its parameters are named "name.<its names>".
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Parameters of this module, then of each submodule in registration
  // order (recursively unless recurse is false). Names are dotted paths; a
  // tensor registered twice (shared weights) is listed once.
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedList<Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedList<Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const NamedList<std::shared_ptr<Module>>& named_children() const { return children_; }

  // Training mode (the default) or evaluation mode, for this module and
  // every submodule.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Drops the gradients of all parameters (set_to_none), or zeroes them.
  void zero_grad(bool set_to_none = true);

  // Every parameter and buffer by dotted name, detached (sharing memory).
  StateDict state_dict() const;
  // Copies the state dict's tensors into the parameters and buffers of the
  // same names (converting dtype; the shapes must match). strict: a missing
  // or unexpected key is an error, as in PyTorch; otherwise they are
  // returned. The module's tensors stay the same objects.
  LoadStateDictResult load_state_dict(const StateDict& state, bool strict = true);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect(const std::string& prefix, bool recurse, bool want_parameters, NamedList<Tensor>& out) const;
  NamedList<Tensor> named_state() const;

  std::string name_;
  bool training_ = true;
  NamedList<Tensor> parameters_;
  NamedList<Tensor> buffers_;
  NamedList<std::shared_ptr<Module>> children_;
};

// y = x W^T + b with W of shape (out_features, in_features), both drawn
// from U(-1/sqrt(in_features), 1/sqrt(in_features)) like PyTorch's (so the
// same seed gives Python's numbers).
class DG_API Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;

  int64_t in_features, out_features;
  Tensor weight;
  Tensor bias;  // undefined without a bias
};

// 2-D convolution of (N, C, H, W) or (C, H, W) inputs with square kernels;
// weight (out_channels, in_channels, k, k), initialized like PyTorch's.
class DG_API Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0,
         bool bias = true);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;

  int64_t in_channels, out_channels, kernel_size, stride, padding;
  Tensor weight;
  Tensor bias;  // undefined without a bias
};

// Flattens dims start_dim..end_dim into one (by default all but the batch dim).
class DG_API Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1);
  Tensor forward(const Tensor& input) override;
  int64_t start_dim, end_dim;
};

class DG_API ReLU : public Module {
 public:
  ReLU() : Module("ReLU") {}
  Tensor forward(const Tensor& input) override;
};

class DG_API Tanh : public Module {
 public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};

class DG_API Sigmoid : public Module {
 public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};

// approximate: "none" (the exact erf form) or "tanh".
class DG_API GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override;
  std::string approximate;
};

// Runs its modules one after another. They are registered as submodules
// named "0", "1", ..., so parameter names match Python's nn.Sequential:
//   auto model = std::make_shared<Sequential>(std::make_shared<Linear>(4, 8),
//                                             std::make_shared<ReLU>(),
//                                             std::make_shared<Linear>(8, 3));
//   model->named_parameters();  // "0.weight", "0.bias", "2.weight", "2.bias"
// C++ evaluates the arguments of one call in an unspecified order (GCC: right
// to left), so layers made inside one call draw their initial values in that
// order. To get Python's initial values from the same seed, make the layers
// in separate statements, in Python's order, and push_back them.
class DG_API Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  template <class... Modules>
  explicit Sequential(std::shared_ptr<Modules>... modules) : Module("Sequential") {
    (push_back(std::move(modules)), ...);
  }

  // Appends a module, named by its position.
  void push_back(std::shared_ptr<Module> module);
  Tensor forward(const Tensor& input) override;

  size_t size() const { return modules_.size(); }
  const std::shared_ptr<Module>& operator[](size_t index) const;
  // The module at index as an M; TypeError when it is not one.
  template <class M>
  std::shared_ptr<M> at(size_t index) const {
    auto m = std::dynamic_pointer_cast<M>((*this)[index]);
    DG_CHECK(m, TypeError, "Sequential: module ", index, " is a ", (*this)[index]->name(),
             ", not the type asked for");
    return m;
  }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace nn
}  // namespace dg
