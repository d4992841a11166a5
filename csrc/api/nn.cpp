// The C++ module system of nn.h: Module's registries and state dicts, and
// the layers, each computing exactly what Python's dyngraph.nn layer does
// (same ops, same initialization), so both give the same numbers.
#include "dyngraph/nn.h"

#include <cmath>
#include <set>
#include <sstream>

#include "api/zero_grad.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {
namespace nn {

// ---- Module ---------------------------------------------------------------------------------

Module::Module(std::string name) : name_(std::move(name)) {}
Module::~Module() = default;

Tensor Module::forward(const Tensor&) {
  DG_FAIL(Error, "Module [", name_, "] is missing the required \"forward\" function");
}

void Module::check_new_name(const std::string& name, const char* what) const {
  DG_CHECK(!name.empty(), ValueError, what, " name can't be empty");
  DG_CHECK(name.find('.') == std::string::npos, ValueError, what, " name can't contain \".\", got \"", name, "\"");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  DG_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), ValueError, name_,
           " already has a parameter, buffer or submodule named \"", name, "\"");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "parameter");
  DG_CHECK(tensor.defined(), ValueError, "register_parameter(\"", name, "\"): the tensor is undefined");
  DG_CHECK(is_leaf(tensor), ValueError, "register_parameter(\"", name,
           "\"): a parameter must be a leaf tensor (detach() it first)");
  set_requires_grad(tensor, requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name, "buffer");
  DG_CHECK(tensor.defined(), ValueError, "register_buffer(\"", name, "\"): the tensor is undefined");
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "submodule");
  DG_CHECK(module != nullptr, ValueError, "register_module(\"", name, "\"): the module is null");
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool want_parameters, NamedList<Tensor>& out) const {
  for (const auto& [name, tensor] : want_parameters ? parameters_ : buffers_) out.emplace_back(prefix + name, tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, want_parameters, out);
}

namespace {
// Keeps the first name of each tensor (a tensor shared by two submodules is
// listed once, as in PyTorch, so an optimizer updates it once).
NamedList<Tensor> without_duplicates(NamedList<Tensor> list) {
  std::set<const TensorImpl*> seen;
  NamedList<Tensor> out;
  for (auto& entry : list)
    if (seen.insert(entry.second.impl()).second) out.push_back(std::move(entry));
  return out;
}
}  // namespace

NamedList<Tensor> Module::named_parameters(bool recurse) const {
  NamedList<Tensor> out;
  collect("", recurse, true, out);
  return without_duplicates(std::move(out));
}

NamedList<Tensor> Module::named_buffers(bool recurse) const {
  NamedList<Tensor> out;
  collect("", recurse, false, out);
  return without_duplicates(std::move(out));
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& entry : named_parameters(recurse)) out.push_back(std::move(entry.second));
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& entry : named_buffers(recurse)) out.push_back(std::move(entry.second));
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& entry : children_) out.push_back(entry.second);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& entry : children_) entry.second->train(on);
}

void Module::zero_grad(bool set_to_none) { detail::zero_grads(parameters(), set_to_none); }

// Every parameter and buffer under every name it has (a shared tensor appears
// under each name, as in PyTorch's state_dict).
NamedList<Tensor> Module::named_state() const {
  NamedList<Tensor> out;
  collect("", true, true, out);
  collect("", true, false, out);
  return out;
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& [name, t] : named_state()) out[name] = detach(t);
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& state, bool strict) {
  NamedList<Tensor> own = named_state();

  LoadStateDictResult result;
  std::vector<std::string> errors;
  std::set<std::string> used;
  NoGradGuard no_grad;
  for (auto& [name, target] : own) {
    auto it = state.find(name);
    if (it == state.end()) {
      result.missing_keys.push_back(name);
      continue;
    }
    used.insert(name);
    const Tensor& source = it->second;
    if (!source.defined()) {
      errors.push_back("the tensor for " + name + " in the state dict is undefined.");
      continue;
    }
    if (!source.sizes().equals(target.sizes())) {
      std::ostringstream msg;
      msg << "size mismatch for " << name << ": copying a param with shape " << source.sizes()
          << " from checkpoint, the shape in current model is " << target.sizes() << ".";
      errors.push_back(msg.str());
      continue;
    }
    target.copy_(source);  // in place: the module (and any optimizer) keeps the same tensors
  }
  for (const auto& entry : state)
    if (!used.count(entry.first)) result.unexpected_keys.push_back(entry.first);

  auto quoted_list = [](const std::vector<std::string>& keys) {
    std::string s;
    for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
    return s;
  };
  if (strict && !result.unexpected_keys.empty())
    errors.insert(errors.begin(), "Unexpected key(s) in state_dict: " + quoted_list(result.unexpected_keys) + ". ");
  if (strict && !result.missing_keys.empty())
    errors.insert(errors.begin(), "Missing key(s) in state_dict: " + quoted_list(result.missing_keys) + ". ");
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + name_ + ":";
    for (const auto& e : errors) msg += "\n\t" + e;
    throw Error(msg);
  }
  return result;
}

// ---- layers ---------------------------------------------------------------------------------

namespace {

// PyTorch's default initialization of a layer's weight and bias:
// kaiming_uniform_(weight, a=sqrt(5)), i.e. U(-b, b) with
// b = sqrt(3) * gain / sqrt(fan_in), gain = sqrt(2 / (1 + a^2)), and the bias
// from U(-1/sqrt(fan_in), 1/sqrt(fan_in)). The arithmetic is written as
// Python's nn.init does it, so the bounds (and the numbers) are identical.
void reset_like_pytorch(Tensor& weight, Tensor& bias) {
  NoGradGuard no_grad;
  int64_t fan_in = weight.size(1);
  for (int64_t d = 2; d < weight.dim(); ++d) fan_in *= weight.size(d);
  if (weight.numel() > 0) {
    double a = std::sqrt(5.0);
    double gain = std::sqrt(2.0 / (1 + std::pow(a, 2.0)));
    double bound = std::sqrt(3.0) * (gain / std::sqrt(static_cast<double>(fan_in)));
    uniform_(weight, -bound, bound);
  }
  if (bias.defined()) {
    double bound = fan_in > 0 ? 1 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    uniform_(bias, -bound, bound);
  }
}

}  // namespace

Linear::Linear(int64_t in_features_, int64_t out_features_, bool with_bias)
    : Module("Linear"), in_features(in_features_), out_features(out_features_) {
  DG_CHECK(in_features >= 0 && out_features >= 0, ValueError, "Linear: feature counts must be >= 0, got in_features=",
           in_features, ", out_features=", out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", empty({out_features}));
  reset_parameters();
}

void Linear::reset_parameters() { reset_like_pytorch(weight, bias); }

Tensor Linear::forward(const Tensor& input) {
  return linear(input, weight, bias.defined() ? std::optional<Tensor>(bias) : std::nullopt);
}

Conv2d::Conv2d(int64_t in_channels_, int64_t out_channels_, int64_t kernel_size_, int64_t stride_, int64_t padding_,
               bool with_bias)
    : Module("Conv2d"),
      in_channels(in_channels_),
      out_channels(out_channels_),
      kernel_size(kernel_size_),
      stride(stride_),
      padding(padding_) {
  DG_CHECK(in_channels > 0 && out_channels > 0, ValueError, "Conv2d: channel counts must be positive, got ",
           in_channels, " and ", out_channels);
  DG_CHECK(kernel_size > 0 && stride > 0 && padding >= 0, ValueError,
           "Conv2d: kernel_size and stride must be positive and padding >= 0, got kernel_size=", kernel_size,
           ", stride=", stride, ", padding=", padding);
  weight = register_parameter("weight", empty({out_channels, in_channels, kernel_size, kernel_size}));
  if (with_bias) bias = register_parameter("bias", empty({out_channels}));
  reset_parameters();
}

void Conv2d::reset_parameters() { reset_like_pytorch(weight, bias); }

Tensor Conv2d::forward(const Tensor& input) {
  std::optional<Tensor> b;
  if (bias.defined()) b = bias;
  return convolution(input, weight, b, {stride, stride}, {padding, padding}, {1, 1}, /*transposed=*/false, {0, 0},
                     /*groups=*/1);
}

Flatten::Flatten(int64_t start_dim_, int64_t end_dim_) : Module("Flatten"), start_dim(start_dim_), end_dim(end_dim_) {}
Tensor Flatten::forward(const Tensor& input) { return flatten(input, start_dim, end_dim); }

Tensor ReLU::forward(const Tensor& input) { return relu(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }
Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }

GELU::GELU(std::string approximate_) : Module("GELU"), approximate(std::move(approximate_)) {
  DG_CHECK(approximate == "none" || approximate == "tanh", ValueError,
           "GELU: approximate must be \"none\" or \"tanh\", got \"", approximate, "\"");
}
Tensor GELU::forward(const Tensor& input) { return gelu(input, approximate); }

// ---- Sequential ---------------------------------------------------------------------------------

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

const std::shared_ptr<Module>& Sequential::operator[](size_t index) const {
  DG_CHECK(index < modules_.size(), IndexError, "Sequential: index ", index, " is out of range for ",
           modules_.size(), " modules");
  return modules_[index];
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& module : modules_) x = module->forward(x);
  return x;
}

}  // namespace nn
}  // namespace dg
