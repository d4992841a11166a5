// Autograd: the define-by-run tape. Each differentiable op that sees an
// input requiring grad records a Node (its backward) on its result; the
// graph is the web of Nodes reachable through the results' grad_fn. The
// engine walks it in topological order from the roots, sums gradients per
// input, reduces broadcast gradients back to each input's shape, and
// delivers them to AccumulateGrad for leaves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dyngraph/export.h"
#include "dyngraph/tensor.h"

namespace dg {

struct Node;
using TensorList = std::vector<Tensor>;
using GradHook = std::function<Tensor(const Tensor&)>;  // returns a replacement, or an undefined tensor

// Where a gradient goes: input number input_nr of node fn.
struct Edge {
  intrusive_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return static_cast<bool>(fn); }
};

// Shape, dtype and device of one forward output of a node: the engine uses
// them to reduce broadcast gradients and cast gradients to the right dtype.
struct InputMeta {
  Shape shape;
  Dtype dtype;
  Device device;
};

struct DG_API Node : Refcounted {
  Node();
  ~Node() override;

  virtual std::string name() const = 0;
  // grads[i] is the gradient w.r.t. forward output i (undefined if none
  // flowed); returns one gradient per next edge (undefined where none).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Drops saved tensors after a backward without retain_graph.
  virtual void release_variables() {}

  TensorList operator()(TensorList&& grads);  // apply, with anomaly checks
  void run_pre_hooks(TensorList& grads);

  std::vector<Edge> next_edges;
  std::vector<InputMeta> input_meta;  // per forward output
  uint64_t sequence_nr;
  std::string trace;  // where the op was recorded (anomaly mode only)

  // Hooks on the gradient of forward output `output_nr` (Tensor.register_hook
  // on a non-leaf); run before apply. Ids are for removal.
  struct PreHook {
    int id;
    uint32_t output_nr;
    GradHook fn;
    bool runs_last;  // retain_grad's hook sees what the other hooks left
  };
  std::vector<PreHook> pre_hooks;
  int add_pre_hook(uint32_t output_nr, GradHook fn, bool runs_last = false);
  void remove_pre_hook(int id);

  uint32_t num_outputs() const { return static_cast<uint32_t>(next_edges.size()); }

 protected:
  void destroy() override;  // frees long chains of nodes iteratively
};

// Per-tensor autograd state (allocated only for tensors that take part).
struct AutogradMeta {
  bool requires_grad = false;  // set on leaves by the user
  bool retains_grad = false;
  std::shared_ptr<int> retain_token;  // expires with the tensor; the retain_grad hook checks it
  Tensor grad;
  intrusive_ptr<Node> grad_fn;
  uint32_t output_nr = 0;
  Node* grad_accumulator = nullptr;  // the leaf's live AccumulateGrad (it clears this when destroyed)
  std::vector<std::pair<int, GradHook>> leaf_hooks;             // register_hook on a leaf
  std::vector<std::pair<int, std::function<void(Tensor&)>>> post_accumulate_hooks;
};

// ---- grad mode ----------------------------------------------------------------------------
DG_API bool grad_enabled();
DG_API void set_grad_enabled(bool enabled);
DG_API bool inference_mode_enabled();
DG_API void set_inference_mode(bool enabled);

// RAII: disables gradient recording in a scope.
struct DG_API NoGradGuard {
  NoGradGuard() : prev_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};
struct DG_API AutoGradMode {
  explicit AutoGradMode(bool enabled) : prev_(grad_enabled()) { set_grad_enabled(enabled); }
  ~AutoGradMode() { set_grad_enabled(prev_); }

 private:
  bool prev_;
};

// ---- anomaly mode ----------------------------------------------------------------------------
DG_API bool anomaly_enabled();
DG_API void set_anomaly_enabled(bool enabled, bool check_nan = true);
DG_API bool anomaly_check_nan();
// Supplies the "where was this recorded" text (the Python bindings install
// one that formats the Python stack).
DG_API void set_anomaly_trace_provider(std::function<std::string()> provider);
// Reports a warning (the Python bindings route it to the warnings module).
DG_API void set_warning_handler(std::function<void(const std::string&)> handler);
DG_API void warn(const std::string& message);

// ---- tensor-level API ------------------------------------------------------------------------
DG_API bool requires_grad(const Tensor& t);
DG_API Tensor& set_requires_grad(Tensor& t, bool requires_grad);
DG_API bool is_leaf(const Tensor& t);
DG_API Tensor grad(const Tensor& t);  // undefined when none
DG_API void set_grad(Tensor& t, const Tensor& grad);
DG_API intrusive_ptr<Node> grad_fn(const Tensor& t);
DG_API uint32_t output_nr(const Tensor& t);
DG_API void retain_grad(Tensor& t);
DG_API bool retains_grad(const Tensor& t);
DG_API Tensor detach(const Tensor& t);
DG_API Tensor& detach_(Tensor& t);
DG_API uint32_t version(const Tensor& t);
// Hooks: returns an id for remove_hook.
DG_API int register_hook(Tensor& t, GradHook hook);
DG_API void remove_hook(Tensor& t, int id);
DG_API int register_post_accumulate_grad_hook(Tensor& t, std::function<void(Tensor&)> hook);
DG_API void remove_post_accumulate_grad_hook(Tensor& t, int id);

// The edge a gradient for t goes to (its grad_fn, or its leaf accumulator).
DG_API Edge gradient_edge(const Tensor& t);

// ---- the engine ----------------------------------------------------------------------------------
// Accumulates d(roots)/d(leaves) into the leaves' .grad (only into `inputs` when given).
DG_API void backward(const TensorList& roots, const TensorList& grad_roots = {}, bool retain_graph = false,
                     bool create_graph = false, const TensorList& inputs = {});
// Returns d(outputs)/d(inputs) without touching .grad. Undefined entries
// where an input is unreachable (an error unless allow_unused).
DG_API TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs = {},
                       std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                       bool allow_unused = false);

// ---- recording (used by ops, and by custom functions) --------------------------------------------
// Connects outputs to node: node->input_meta gets their metadata, and each
// output's grad_fn/output_nr point at node.
DG_API void set_history(Tensor& output, const intrusive_ptr<Node>& node);
DG_API void set_history(std::vector<Tensor>& outputs, const intrusive_ptr<Node>& node);
// Collects the gradient edges of the inputs (empty edges for those that don't require grad).
DG_API std::vector<Edge> collect_next_edges(std::initializer_list<const Tensor*> inputs);
DG_API std::vector<Edge> collect_next_edges(const TensorList& inputs);
// True when grad mode is on and any input requires grad.
DG_API bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
// Before an in-place op on t: raises for leaves that require grad; checks views.
DG_API void check_inplace(const Tensor& t);
// After an in-place op on t: t's new value is forward output `output_nr` of
// node, whose next_edges[0] stands for t's old value. A view's base gets the
// history instead (through a CopySlices node) and the view becomes a slice of it.
DG_API void rebase_history(Tensor& t, const intrusive_ptr<Node>& node, uint32_t output_nr = 0);

// ---- saved tensors ------------------------------------------------------------------------------------
// A tensor saved for backward, with the version it had: unpacking after an
// in-place change raises an error naming the op and the tensor.
class DG_API SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  Tensor unpack(Node* owner) const;
  void reset();
  bool defined() const { return data_.defined() || was_defined_; }

 private:
  Tensor data_;
  uint32_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool was_defined_ = false;
  bool released_ = false;
};

// Counters for leak tests.
DG_API int64_t live_tensor_count();
DG_API int64_t live_node_count();

}  // namespace dg
