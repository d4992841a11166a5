// Autocast's thread-local state and casts (include/dyngraph/autocast.h); the
// ops consult it through ops/autocast_policy.h.
#include "dyngraph/autocast.h"

#include <unordered_map>
#include <utility>

#include "dyngraph/autograd.h"
#include "ops/autocast_policy.h"

namespace dg::autocast {

namespace {

struct State {
  bool enabled[kNumDeviceTypes] = {false, false};
  Dtype dtype[kNumDeviceTypes] = {kBFloat16, kFloat16};
  bool cache_enabled = true;
  bool excluded = false;
  int64_t nesting = 0;
  // weight -> (the weight, its cast copy); the weight is held so that its address is not reused.
  std::unordered_map<const TensorImpl*, std::pair<Tensor, Tensor>> cache[kNumDeviceTypes];
};

// Never destroyed: the cache holds Tensors, and a thread_local destructor
// would free them after the autograd machinery's own thread-locals are gone
// (and, for a Python thread, without the GIL). Python clears a thread's cache
// when the thread ends (dyngraph.amp.autocast_mode) and at exit.
State& state() {
  thread_local State* s = new State;
  return *s;
}

bool eligible(Dtype d) { return d == kFloat32 || d == kFloat16 || d == kBFloat16; }

}  // namespace

bool is_enabled(DeviceType device) { return state().enabled[static_cast<int>(device)]; }
void set_enabled(DeviceType device, bool enabled) { state().enabled[static_cast<int>(device)] = enabled; }
Dtype get_dtype(DeviceType device) { return state().dtype[static_cast<int>(device)]; }
void set_dtype(DeviceType device, Dtype dtype) { state().dtype[static_cast<int>(device)] = dtype; }
bool is_cache_enabled() { return state().cache_enabled; }
void set_cache_enabled(bool enabled) { state().cache_enabled = enabled; }
void clear_cache() {
  for (auto& c : state().cache) c.clear();
}
int64_t increment_nesting() { return ++state().nesting; }
int64_t decrement_nesting() { return --state().nesting; }
bool is_excluded() { return state().excluded; }
void set_excluded(bool excluded) { state().excluded = excluded; }

Tensor cast(const Tensor& t, Dtype to, DeviceType device) {
  if (!t.defined() || t.dtype() == to || !eligible(t.dtype()) || t.device().type != device) return t;
  State& s = state();
  const int d = static_cast<int>(device);
  // PyTorch's heuristic: a float32 leaf that requires grad is a weight, likely used
  // again in the region, so its lower-precision copy is kept until the region ends.
  const bool weight = t.dtype() == kFloat32 && to == s.dtype[d] && s.cache_enabled && t.requires_grad() &&
                      t.is_leaf() && t.impl()->view_base() == nullptr;
  if (!weight) return t.to(to);
  auto hit = s.cache[d].find(t.impl());
  // A copy cast under no_grad has no history: with grad on, cast again (and cache that one).
  if (hit != s.cache[d].end() && hit->second.second.dtype() == to &&
      (hit->second.second.requires_grad() || !grad_enabled()))
    return hit->second.second;
  Tensor copy = t.to(to);
  s.cache[d][t.impl()] = std::make_pair(t, copy);
  return copy;
}

std::optional<Dtype> lower_precision_dtype(const Tensor& first) {
  const State& s = state();
  if (s.excluded || !first.defined()) return std::nullopt;
  const int d = static_cast<int>(first.device().type);
  if (!s.enabled[d]) return std::nullopt;
  return s.dtype[d];
}

Guard::Guard(DeviceType device, std::optional<Dtype> dtype, bool enabled)
    : device_(device), prev_enabled_(is_enabled(device)), prev_dtype_(get_dtype(device)) {
  set_enabled(device, enabled);
  if (dtype) set_dtype(device, *dtype);
  increment_nesting();
}

Guard::~Guard() {
  if (decrement_nesting() == 0) clear_cache();
  set_enabled(device_, prev_enabled_);
  set_dtype(device_, prev_dtype_);
}

}  // namespace dg::autocast
