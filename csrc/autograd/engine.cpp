// The backward engine. From the root edges it counts, for every node that
// matters, how many edges feed it; nodes run (latest-recorded first) once all
// their inputs arrived, with the gradients for each input slot summed. A
// gradient whose shape is a broadcast of its target's is summed back to it,
// and cast to the target's dtype, here and only here.
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/internal.h"
#include "dyngraph/ops.h"

namespace dg {

Tensor sum_to(const Tensor& grad, IntArrayRef shape) {
  if (grad.sizes().equals(shape)) return grad;
  int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  Shape dims;
  for (int64_t d = 0; d < grad.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
    } else if (shape[d - lead] == 1 && grad.sizes()[d] != 1) {
      dims.push_back(d);
    }
  }
  Tensor r = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return r.sizes().equals(shape) ? r : reshape(r, shape);
}

namespace {

// Checks and adapts a gradient produced for `edge` to the metadata of the
// forward output it belongs to.
Tensor validate_grad(Tensor g, const Node& producer, size_t index, const InputMeta& meta) {
  if (!g.defined()) return g;
  if (!g.sizes().equals(meta.shape)) {
    bool broadcastable = g.dim() >= static_cast<int64_t>(meta.shape.size());
    for (size_t i = 0; broadcastable && i < meta.shape.size(); ++i) {
      int64_t gs = g.sizes()[g.dim() - meta.shape.size() + i];
      broadcastable = gs == meta.shape[i] || meta.shape[i] == 1;
    }
    DG_CHECK(broadcastable, Error, "Function ", producer.name(), " returned an invalid gradient at index ", index,
             " - got ", g.sizes(), " but expected shape compatible with ", meta.shape);
    g = sum_to(g, meta.shape);
  }
  if (g.dtype() != meta.dtype) {
    if (is_complex(g.dtype()) && !is_complex(meta.dtype)) g = real(g);
    g = to_dtype(g, meta.dtype);
  }
  // A gradient flowing back through .to(device) returns to the input's device.
  if (g.device() != meta.device) g = to_device(g, meta.device);
  return g;
}

struct ByLatest {
  bool operator()(Node* a, Node* b) const { return a->sequence_nr < b->sequence_nr; }
};

struct GraphTask {
  bool keep_graph = false;
  bool create_graph = false;
  // Capture mode (autograd.grad / backward(inputs=)): gradients arriving at
  // these (node, input_nr) slots are recorded; only nodes leading to them run,
  // and leaf accumulators do not.
  bool capture_only = false;
  std::vector<Edge> captures;
  TensorList captured;

  std::unordered_map<Node*, int> deps;
  std::unordered_set<Node*> needed;  // empty: every node is needed
  std::unordered_map<Node*, TensorList> buffers;

  bool is_needed(Node* n) const { return needed.empty() || needed.count(n); }

  // Switches to capture mode for the gradients of these tensors.
  void capture(const TensorList& inputs) {
    capture_only = true;
    for (const Tensor& t : inputs) {
      Edge e = gradient_edge(t);
      DG_CHECK(e.valid(), Error, "One of the differentiated Tensors does not require grad");
      captures.push_back(e);
    }
    captured.resize(inputs.size());
  }

  void add_to_buffer(Node* n, uint32_t slot, const Tensor& g) {
    TensorList& buf = buffers[n];
    if (buf.empty()) buf.resize(n->input_meta.size() ? n->input_meta.size() : 1);
    if (!g.defined()) return;
    buf[slot] = buf[slot].defined() ? add(buf[slot], g) : g;
  }
};

void compute_dependencies(GraphTask& task, const std::vector<Edge>& roots) {
  std::vector<Node*> stack;
  std::unordered_set<Node*> seen;
  for (const Edge& e : roots)
    if (e.valid() && seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
  // Which nodes can reach a capture (only matters in capture mode).
  std::vector<Node*> order;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (const Edge& e : n->next_edges) {
      if (!e.valid()) continue;
      if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    }
  }
  if (task.capture_only) {
    std::unordered_set<Node*> targets;
    for (const Edge& c : task.captures)
      if (c.valid()) targets.insert(c.fn.get());
    // Fixed point: a node is needed if it is a target or feeds a needed node.
    task.needed = targets;
    bool changed = true;
    while (changed) {
      changed = false;
      for (Node* n : order) {
        if (task.needed.count(n)) continue;
        for (const Edge& e : n->next_edges)
          if (e.valid() && task.needed.count(e.fn.get())) {
            task.needed.insert(n);
            changed = true;
            break;
          }
      }
    }
    if (task.needed.empty()) task.needed.insert(nullptr);  // nothing to run, but not "all"
  }
  for (Node* n : order) {
    if (!task.is_needed(n)) continue;
    for (const Edge& e : n->next_edges)
      if (e.valid() && task.is_needed(e.fn.get())) ++task.deps[e.fn.get()];
  }
}

void execute(GraphTask& task, const std::vector<Edge>& roots, const TensorList& root_grads) {
  compute_dependencies(task, roots);
  std::priority_queue<Node*, std::vector<Node*>, ByLatest> ready;
  std::unordered_set<Node*> queued;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Edge& e = roots[i];
    if (!e.valid() || !task.is_needed(e.fn.get())) continue;
    task.add_to_buffer(e.fn.get(), e.input_nr, validate_grad(root_grads[i], *e.fn, i, e.fn->input_meta[e.input_nr]));
  }
  for (const Edge& e : roots)
    if (e.valid() && task.is_needed(e.fn.get()) && task.deps[e.fn.get()] == 0 && queued.insert(e.fn.get()).second)
      ready.push(e.fn.get());

  // Keeps nodes alive while they are queued (their owners may drop them).
  std::vector<intrusive_ptr<Node>> keep_alive;
  for (const Edge& e : roots)
    if (e.valid()) keep_alive.push_back(e.fn);

  AutoGradMode mode(task.create_graph);
  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    TensorList grads = std::move(task.buffers[n]);
    task.buffers.erase(n);
    if (grads.empty()) grads.resize(n->input_meta.size());

    // Tensor hooks run first; captures see the gradient they leave.
    n->run_pre_hooks(grads);
    auto* accumulator = dynamic_cast<AccumulateGrad*>(n);
    bool is_target = false;
    for (size_t c = 0; c < task.captures.size(); ++c) {
      if (task.captures[c].fn.get() != n) continue;
      is_target = true;
      Tensor g = grads[task.captures[c].input_nr];
      if (accumulator) g = run_leaf_hooks(accumulator->variable, g);
      if (g.defined()) task.captured[c] = task.captured[c].defined() ? add(task.captured[c], g) : g;
    }
    if (task.capture_only && accumulator) continue;
    bool feeds_needed = false;
    for (const Edge& e : n->next_edges) feeds_needed = feeds_needed || (e.valid() && task.is_needed(e.fn.get()));
    if (task.capture_only && is_target && !feeds_needed) continue;

    TensorList outputs = (*n)(std::move(grads));
    if (!task.keep_graph) n->release_variables();
    DG_CHECK(outputs.size() == n->next_edges.size() || outputs.empty(), Error, "Function ", n->name(),
             " returned an incorrect number of gradients (expected ", n->next_edges.size(), ", got ", outputs.size(),
             ")");
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Edge& e = n->next_edges[i];
      if (!e.valid() || !task.is_needed(e.fn.get())) continue;
      Node* next = e.fn.get();
      task.add_to_buffer(next, e.input_nr, validate_grad(outputs[i], *n, i, next->input_meta[e.input_nr]));
      if (--task.deps[next] == 0 && queued.insert(next).second) {
        keep_alive.push_back(e.fn);
        ready.push(next);
      }
    }
  }
}

std::vector<Edge> root_edges(const TensorList& roots) {
  std::vector<Edge> edges;
  for (size_t i = 0; i < roots.size(); ++i) {
    Edge e = gradient_edge(roots[i]);
    DG_CHECK(e.valid(), Error, "element ", i, " of tensors does not require grad and does not have a grad_fn");
    edges.push_back(e);
  }
  return edges;
}

TensorList root_grads(const TensorList& roots, const TensorList& given, const char* what) {
  DG_CHECK(given.empty() || given.size() == roots.size(), Error, what, ": got ", given.size(),
           " gradients for ", roots.size(), " tensors");
  TensorList out;
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!given.empty() && given[i].defined()) {
      DG_CHECK(given[i].sizes().equals(roots[i].sizes()), Error, "Mismatch in shape: grad_output[", i,
               "] has a shape of ", given[i].sizes(), " and output[", i, "] has a shape of ", roots[i].sizes(), ".");
      out.push_back(given[i]);
    } else {
      DG_CHECK(roots[i].numel() == 1, Error, "grad can be implicitly created only for scalar outputs");
      out.push_back(ones_like(roots[i]));
    }
  }
  return out;
}

}  // namespace

void backward(const TensorList& roots, const TensorList& grad_roots, bool retain_graph, bool create_graph,
              const TensorList& inputs) {
  std::vector<Edge> edges = root_edges(roots);
  TensorList grads = root_grads(roots, grad_roots, "backward");
  GraphTask task;
  task.keep_graph = retain_graph || create_graph;
  task.create_graph = create_graph;
  if (inputs.empty()) {
    execute(task, edges, grads);
    return;
  }
  // backward(inputs=...): gather the gradients of just these, then accumulate.
  task.capture(inputs);
  execute(task, edges, grads);
  AutoGradMode mode(create_graph);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!task.captured[i].defined()) continue;
    Tensor t = inputs[i];
    if (is_leaf(t)) {
      accumulate_grad(t, task.captured[i], /*run_hooks=*/false);  // the capture already ran them
    } else {
      AutogradMeta& m = t.impl()->ensure_autograd_meta();
      m.grad = m.grad.defined() ? add(m.grad, task.captured[i]) : task.captured[i];
    }
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  std::vector<Edge> edges = root_edges(outputs);
  TensorList grads = root_grads(outputs, grad_outputs, "grad");
  GraphTask task;
  task.keep_graph = retain_graph.value_or(create_graph);
  task.create_graph = create_graph;
  task.capture(inputs);
  execute(task, edges, grads);
  for (size_t i = 0; i < inputs.size(); ++i)
    DG_CHECK(task.captured[i].defined() || allow_unused, Error,
             "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True "
             "if this is the desired behavior.");
  if (!create_graph) {
    // Results are plain tensors.
    for (auto& g : task.captured)
      if (g.defined() && requires_grad(g)) g = detach(g);
  }
  return task.captured;
}

}  // namespace dg
