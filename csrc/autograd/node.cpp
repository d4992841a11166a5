#include <atomic>

#include "autograd/internal.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
std::atomic<int64_t> g_live_nodes{0};
std::atomic<int> g_next_hook_id{1};

bool has_nan(const Tensor& t) {
  if (!is_floating_point(t.dtype()) && !is_complex(t.dtype())) return false;
  NoGradGuard no_grad;
  return sum(ne(t, t)).item<int64_t>() > 0;
}
}  // namespace

int64_t live_node_count() { return g_live_nodes.load(); }

Node::Node() : sequence_nr(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {
  g_live_nodes.fetch_add(1, std::memory_order_relaxed);
  if (anomaly_enabled()) trace = current_anomaly_trace();
}
Node::~Node() { g_live_nodes.fetch_sub(1, std::memory_order_relaxed); }

// Freeing a node drops its edges and saved tensors, which may free the nodes
// before it, and so on down the graph: a chain of a million nodes would
// recurse a million deep and overflow the C stack. So a node whose last
// reference goes while another node is being freed on this thread is queued,
// and the outermost free drains the queue in a loop.
void Node::destroy() {
  thread_local bool freeing = false;
  thread_local std::vector<Node*> queued;
  if (freeing) {
    queued.push_back(this);
    return;
  }
  freeing = true;
  delete this;
  while (!queued.empty()) {
    Node* next = queued.back();
    queued.pop_back();
    delete next;
  }
  freeing = false;
}

int Node::add_pre_hook(uint32_t output_nr, GradHook fn, bool runs_last) {
  int id = g_next_hook_id.fetch_add(1);
  pre_hooks.push_back({id, output_nr, std::move(fn), runs_last});
  return id;
}
void Node::remove_pre_hook(int id) {
  for (size_t i = 0; i < pre_hooks.size(); ++i)
    if (pre_hooks[i].id == id) {
      pre_hooks.erase(pre_hooks.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
}

Tensor checked_hook_result(const Tensor& before, Tensor after) {
  if (!after.defined()) return before;
  DG_CHECK(after.sizes().equals(before.sizes()), Error, "hook has changed the size of value (was ", before.sizes(),
           ", got ", after.sizes(), ")");
  DG_CHECK(after.dtype() == before.dtype(), Error, "hook has changed the type of value (was ",
           dtype_name(before.dtype()), " got ", dtype_name(after.dtype()), ")");
  DG_CHECK(after.device() == before.device(), Error, "hook has changed the device of value (was ",
           before.device().str(), " got ", after.device().str(), ")");
  return after;
}

void Node::run_pre_hooks(TensorList& grads) {
  for (bool last : {false, true})
    for (auto& h : pre_hooks) {
      if (h.runs_last != last) continue;
      Tensor& g = grads[h.output_nr];
      if (!g.defined()) continue;
      g = checked_hook_result(g, h.fn(g));
    }
}

TensorList Node::operator()(TensorList&& grads) {
  TensorList out;
  try {
    out = apply(std::move(grads));
  } catch (const Error& e) {
    if (!anomaly_enabled() || trace.empty()) throw;
    // Name the forward op and where it was recorded.
    std::string msg = std::string(e.what()) + "\n\nThe error was raised in the backward of " + name() +
                      ", whose forward op was recorded at:\n" + trace;
    if (dynamic_cast<const IndexError*>(&e)) throw IndexError(msg);
    if (dynamic_cast<const ValueError*>(&e)) throw ValueError(msg);
    if (dynamic_cast<const TypeError*>(&e)) throw TypeError(msg);
    throw Error(msg);
  } catch (...) {
    // Errors from elsewhere (a Python backward) propagate unchanged; anomaly
    // mode reports where the forward op ran, as a warning.
    if (anomaly_enabled() && !trace.empty())
      warn("Error detected in " + name() + ". Traceback of forward call that caused the error:\n" + trace);
    throw;
  }
  if (anomaly_enabled() && anomaly_check_nan()) {
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i].defined() && has_nan(out[i]))
        DG_FAIL(Error, "Function '", name(), "' returned nan values in its ", i, "th output.",
                trace.empty() ? std::string() : "\nThe forward op was recorded at:\n" + trace);
  }
  return out;
}

}  // namespace dg
