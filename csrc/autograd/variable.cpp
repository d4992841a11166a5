// The tensor side of autograd: requires_grad, grad, grad_fn, hooks, detach,
// recording history on op results, in-place checks, saved tensors, and the
// leaf accumulator.
#include <atomic>
#include <sstream>

#include "autograd/internal.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {
std::atomic<int> g_next_tensor_hook_id{1};
AutogradMeta* meta(const Tensor& t) { return t.impl()->autograd_meta(); }
}  // namespace

std::string describe(const Tensor& t) {
  std::ostringstream os;
  os << "[" << dtype_name(t.dtype()) << " " << t.sizes() << "]";
  return os.str();
}

// ---- tensor-level API ----------------------------------------------------------------------

bool requires_grad(const Tensor& t) {
  if (t.impl()->view_base()) refresh_view_history(t);
  AutogradMeta* m = meta(t);
  return m && (m->requires_grad || m->grad_fn);
}

Tensor& set_requires_grad(Tensor& t, bool flag) {
  DG_CHECK(!flag || !t.impl()->is_inference() || inference_mode_enabled(), Error,
           "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  AutogradMeta* m = meta(t);
  if (m && m->grad_fn) {
    DG_CHECK(flag, Error,
             "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in "
             "a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    return t;
  }
  DG_CHECK(!flag || is_floating_point(t.dtype()) || is_complex(t.dtype()), Error,
           "only Tensors of floating point and complex dtype can require gradients");
  if (flag || m) t.impl()->ensure_autograd_meta().requires_grad = flag;
  return t;
}

bool is_leaf(const Tensor& t) {
  AutogradMeta* m = meta(t);
  return !m || !m->grad_fn;
}

Tensor grad(const Tensor& t) {
  AutogradMeta* m = meta(t);
  return m ? m->grad : Tensor();
}

void set_grad(Tensor& t, const Tensor& g) {
  if (g.defined()) {
    DG_CHECK(g.sizes().equals(t.sizes()), Error, "assigned grad has data of a different size (", g.sizes(),
             " vs the tensor's ", t.sizes(), ")");
    DG_CHECK(g.dtype() == t.dtype(), Error, "assigned grad has data of a different type (",
             dtype_name(g.dtype()), " vs the tensor's ", dtype_name(t.dtype()), ")");
    DG_CHECK(g.device() == t.device(), Error, "assigned grad has data located on a different device");
  }
  if (!g.defined() && !meta(t)) return;
  t.impl()->ensure_autograd_meta().grad = g;
}

intrusive_ptr<Node> grad_fn(const Tensor& t) {
  if (t.impl()->view_base()) refresh_view_history(t);
  AutogradMeta* m = meta(t);
  return m ? m->grad_fn : intrusive_ptr<Node>();
}

uint32_t output_nr(const Tensor& t) {
  AutogradMeta* m = meta(t);
  return m ? m->output_nr : 0;
}

void retain_grad(Tensor& t) {
  DG_CHECK(requires_grad(t), Error, "can't retain_grad on Tensor that has requires_grad=False");
  AutogradMeta& m = t.impl()->ensure_autograd_meta();
  if (!m.grad_fn || m.retains_grad) return;  // leaves always keep their grad
  m.retains_grad = true;
  // The tensor owns its grad_fn, so the hook must not own the tensor: it
  // writes through a raw pointer guarded by a token that dies with the meta.
  m.retain_token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = m.retain_token;
  TensorImpl* impl = t.impl();
  m.grad_fn->add_pre_hook(m.output_nr, [impl, alive](const Tensor& g) -> Tensor {
    if (alive.expired()) return Tensor();
    AutogradMeta* mm = impl->autograd_meta();
    NoGradGuard no_grad;
    mm->grad = mm->grad.defined() ? add(mm->grad, g) : clone(g);
    return Tensor();
  }, /*runs_last=*/true);
}

bool retains_grad(const Tensor& t) {
  AutogradMeta* m = meta(t);
  return m && m->retains_grad;
}

}  // namespace dg

namespace dg {

Tensor& detach_(Tensor& t) {
  AutogradMeta* m = meta(t);
  if (m) {
    m->grad_fn.reset();
    m->output_nr = 0;
    m->requires_grad = false;
  }
  return t;
}

uint32_t version(const Tensor& t) { return t.impl()->storage()->version(); }

int register_hook(Tensor& t, GradHook hook) {
  DG_CHECK(requires_grad(t), Error, "cannot register a hook on a tensor that doesn't require gradient");
  AutogradMeta& m = t.impl()->ensure_autograd_meta();
  if (m.grad_fn) return m.grad_fn->add_pre_hook(m.output_nr, std::move(hook));
  int id = g_next_tensor_hook_id.fetch_add(1);
  m.leaf_hooks.emplace_back(id, std::move(hook));
  return id;
}

void remove_hook(Tensor& t, int id) {
  AutogradMeta* m = meta(t);
  if (!m) return;
  if (m->grad_fn) m->grad_fn->remove_pre_hook(id);
  for (size_t i = 0; i < m->leaf_hooks.size(); ++i)
    if (m->leaf_hooks[i].first == id) {
      m->leaf_hooks.erase(m->leaf_hooks.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
}

int register_post_accumulate_grad_hook(Tensor& t, std::function<void(Tensor&)> hook) {
  DG_CHECK(requires_grad(t) && is_leaf(t), Error,
           "post accumulate grad hooks cannot be registered on non-leaf tensors");
  int id = g_next_tensor_hook_id.fetch_add(1);
  t.impl()->ensure_autograd_meta().post_accumulate_hooks.emplace_back(id, std::move(hook));
  return id;
}

void remove_post_accumulate_grad_hook(Tensor& t, int id) {
  AutogradMeta* m = meta(t);
  if (!m) return;
  auto& hooks = m->post_accumulate_hooks;
  for (size_t i = 0; i < hooks.size(); ++i)
    if (hooks[i].first == id) {
      hooks.erase(hooks.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
}

// ---- the leaf accumulator --------------------------------------------------------------------

AccumulateGrad::AccumulateGrad(Tensor v) : variable(std::move(v)) {
  input_meta.push_back({Shape(variable.sizes()), variable.dtype(), variable.device()});
  variable.impl()->ensure_autograd_meta().grad_accumulator = this;
}

AccumulateGrad::~AccumulateGrad() {
  AutogradMeta* m = meta(variable);
  if (m && m->grad_accumulator == this) m->grad_accumulator = nullptr;
}

Tensor run_leaf_hooks(const Tensor& variable, Tensor g) {
  AutogradMeta* m = meta(variable);
  if (!m || !g.defined()) return g;
  for (auto& hook : m->leaf_hooks) {
    g = checked_hook_result(g, hook.second(g));
  }
  return g;
}

void accumulate_grad(Tensor& variable, const Tensor& incoming, bool run_hooks) {
  AutogradMeta& m = variable.impl()->ensure_autograd_meta();
  Tensor g = run_hooks ? run_leaf_hooks(variable, incoming) : incoming;
  if (!g.defined()) return;
  if (!m.grad.defined()) {
    // A private copy (the engine may hand the same tensor to several inputs),
    // which keeps its graph only under create_graph.
    if (grad_enabled()) {
      m.grad = g;
    } else {
      m.grad = clone(g);
    }
  } else if (grad_enabled()) {
    m.grad = add(m.grad, g);
  } else {
    m.grad.add_(g);
  }
  for (auto& hook : m.post_accumulate_hooks) hook.second(variable);
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  accumulate_grad(variable, grads[0]);
  return {};
}

Edge gradient_edge(const Tensor& t) {
  if (t.impl()->view_base()) refresh_view_history(t);
  AutogradMeta* m = meta(t);
  if (!m) return {};
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  if (!m->requires_grad) return {};
  if (m->grad_accumulator) return {intrusive_ptr<Node>(m->grad_accumulator), 0};
  return {make_intrusive<AccumulateGrad>(t), 0};
}

// ---- recording ----------------------------------------------------------------------------------

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && requires_grad(*t)) return true;
  return false;
}

std::vector<Edge> collect_next_edges(std::initializer_list<const Tensor*> inputs) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(t->defined() ? gradient_edge(*t) : Edge());
  return edges;
}

std::vector<Edge> collect_next_edges(const TensorList& inputs) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(t.defined() ? gradient_edge(t) : Edge());
  return edges;
}

void set_history(Tensor& output, const intrusive_ptr<Node>& node) {
  AutogradMeta& m = output.impl()->ensure_autograd_meta();
  m.grad_fn = node;
  m.output_nr = static_cast<uint32_t>(node->input_meta.size());
  node->input_meta.push_back({Shape(output.sizes()), output.dtype(), output.device()});
}

void set_history(std::vector<Tensor>& outputs, const intrusive_ptr<Node>& node) {
  for (Tensor& t : outputs)
    if (t.defined()) set_history(t, node);
}

void check_inplace(const Tensor& t) {
  if (t.impl()->is_inference()) check_inference_write();
  if (!grad_enabled()) return;
  AutogradMeta* m = meta(t);
  if (m && m->requires_grad && !m->grad_fn)
    DG_FAIL(Error, "a leaf Variable that requires grad is being used in an in-place operation.");
  if (TensorImpl* b = t.impl()->view_base()) {
    AutogradMeta* bm = b->autograd_meta();
    if (bm && bm->requires_grad && !bm->grad_fn && t.impl()->view_history != TensorImpl::kNoGradView)
      DG_FAIL(Error, "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

}  // namespace dg
