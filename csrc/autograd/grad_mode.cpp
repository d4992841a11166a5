// Thread-local grad mode and inference mode; process-wide anomaly mode.
#include <atomic>
#include <cstdio>

#include "dyngraph/autograd.h"

namespace dg {

namespace {
thread_local bool t_grad_enabled = true;
thread_local bool t_inference_mode = false;
std::atomic<bool> g_anomaly{false};
std::atomic<bool> g_anomaly_nan{true};
std::function<std::string()>& trace_provider() {
  static std::function<std::string()> f;
  return f;
}
}  // namespace

bool grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }
bool inference_mode_enabled() { return t_inference_mode; }
void set_inference_mode(bool enabled) { t_inference_mode = enabled; }

bool anomaly_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
bool anomaly_check_nan() { return g_anomaly_nan.load(std::memory_order_relaxed); }
void set_anomaly_enabled(bool enabled, bool check_nan) {
  g_anomaly = enabled;
  g_anomaly_nan = check_nan;
}
void set_anomaly_trace_provider(std::function<std::string()> provider) { trace_provider() = std::move(provider); }

std::function<void(const std::string&)>& warning_handler() {
  static std::function<void(const std::string&)> f;
  return f;
}
void set_warning_handler(std::function<void(const std::string&)> handler) { warning_handler() = std::move(handler); }
void warn(const std::string& message) {
  if (warning_handler()) {
    warning_handler()(message);
  } else {
    std::fprintf(stderr, "Warning: %s\n", message.c_str());
  }
}

std::string current_anomaly_trace() { return trace_provider() ? trace_provider()() : std::string(); }

}  // namespace dg
