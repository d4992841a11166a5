// Recurrent layers (nn.RNN, nn.LSTM, nn.GRU): one layer in one direction runs
// its whole time loop here. The input projection of every step is one GEMM;
// each step is then one GEMM on the hidden state and one fused cell kernel
// (kernels/recurrent.h). The backward runs through time the same way: one
// fused kernel and one GEMM per step, and the weight gradients as one GEMM
// over all steps at the end.
//
// Gradients of gradients (create_graph) and dtypes without a fused kernel
// (float16, bfloat16) take the composed path instead: the same step written
// with differentiable ops, which autograd records (forward) or differentiates
// again (backward).
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/autocast.h"
#include "dyngraph/ops.h"
#include "kernels/recurrent.h"

namespace dg {

namespace {

RecurrentCell parse_cell(const std::string& mode) {
  if (mode == "LSTM") return RecurrentCell::kLstm;
  if (mode == "GRU") return RecurrentCell::kGru;
  if (mode == "RNN_TANH") return RecurrentCell::kRnnTanh;
  if (mode == "RNN_RELU") return RecurrentCell::kRnnRelu;
  DG_FAIL(ValueError, "recurrent_layer: unknown mode '", mode, "' (expected LSTM, GRU, RNN_TANH or RNN_RELU)");
}

// The scan's inputs: the input projection x (T, N, G*H) and what the time loop reads.
struct Scan {
  RecurrentCell cell;
  bool reverse;
  Tensor x, h0, c0, w_hh, b_hh, w_hr;  // c0: LSTM only; b_hh, w_hr optional
  Tensor lengths;                      // optional (N) int64: each row's sequence length (packed sequences)

  int64_t steps() const { return x.sizes()[0]; }
  int64_t batch() const { return x.sizes()[1]; }
  int64_t hidden() const { return w_hh.sizes()[0] / recurrent::gates(cell); }
  int64_t hidden_out() const { return w_hh.sizes()[1]; }
  bool lstm() const { return cell == RecurrentCell::kLstm; }
  // The time index of loop step s (reverse layers read the sequence backwards).
  int64_t time(int64_t s) const { return reverse ? steps() - 1 - s : s; }
};

void check_shape(const Tensor& t, const Shape& expected, const char* what) {
  DG_CHECK(Shape(t.sizes()) == expected, Error, "recurrent_layer: expected ", what, " of size ", expected,
           ", got ", t.sizes());
}

void check_scan(const Scan& s) {
  const int64_t G = recurrent::gates(s.cell);
  DG_CHECK(is_floating_point(s.x.dtype()), TypeError, "recurrent_layer: expected a floating-point input, got ",
           dtype_name(s.x.dtype()));
  DG_CHECK(s.x.dim() == 3, Error, "recurrent_layer: expected a (time, batch, features) input, got ", s.x.sizes());
  DG_CHECK(s.w_hh.dim() == 2 && s.w_hh.sizes()[0] % G == 0, Error, "recurrent_layer: expected weight_hh of size (",
           G, " * hidden_size, hidden_size), got ", s.w_hh.sizes());
  const int64_t H = s.hidden(), Hout = s.hidden_out(), N = s.batch();
  DG_CHECK(s.x.sizes()[2] == G * H, Error, "recurrent_layer: the input projection has ", s.x.sizes()[2],
           " features, expected ", G * H);
  check_shape(s.h0, {N, Hout}, "hx");
  if (s.lstm()) {
    DG_CHECK(s.c0.defined(), Error, "recurrent_layer: LSTM needs a cell state");
    check_shape(s.c0, {N, H}, "cx");
  }
  if (s.b_hh.defined()) check_shape(s.b_hh, {G * H}, "bias_hh");
  if (s.w_hr.defined()) {
    DG_CHECK(s.lstm(), Error, "recurrent_layer: only LSTM has projections");
    check_shape(s.w_hr, {Hout, H}, "weight_hr");
  } else {
    DG_CHECK(Hout == H, Error, "recurrent_layer: weight_hh must be square without projections, got ", s.w_hh.sizes());
  }
  if (s.lengths.defined()) {
    DG_CHECK(s.lengths.dtype() == kInt64 && s.lengths.device() == s.x.device(), TypeError, "recurrent_layer: "
             "expected lengths of dtype int64 on ", s.x.device().str());
    check_shape(s.lengths, {N}, "lengths");
  }
  for (const Tensor* t : {&s.h0, &s.c0, &s.w_hh, &s.b_hh, &s.w_hr}) {
    if (!t->defined()) continue;
    DG_CHECK(t->dtype() == s.x.dtype(), TypeError, "recurrent_layer: expected every tensor of dtype ",
             dtype_name(s.x.dtype()), ", got ", dtype_name(t->dtype()));
    DG_CHECK(t->device() == s.x.device(), Error, "recurrent_layer: expected every tensor on ", s.x.device().str(),
             ", got one on ", t->device().str());
  }
}

Tensor empty_sequence(const Scan& s, int64_t features) {
  return empty({s.steps(), s.batch(), features}, TensorOptions(s.x.dtype()).device(s.x.device()));
}

// ---- the composed path: differentiable ops, one step at a time ------------------------------------

std::vector<Tensor> scan_composed(const Scan& s) {
  Tensor h = s.h0, c = s.c0;
  const Tensor w_t = t(s.w_hh);
  std::vector<Tensor> outputs(static_cast<size_t>(s.steps()));
  for (int64_t step = 0; step < s.steps(); ++step) {
    const int64_t time = s.time(step);
    const Tensor x = select(s.x, 0, time);
    const Tensor h_prev = h, c_prev = c;
    Tensor h_lin = mm(h, w_t);
    if (s.b_hh.defined()) h_lin = add(h_lin, s.b_hh);
    if (s.cell == RecurrentCell::kLstm) {
      std::vector<Tensor> g = chunk(add(x, h_lin), 4, 1);
      c = add(mul(sigmoid(g[1]), c), mul(sigmoid(g[0]), tanh(g[2])));
      h = mul(sigmoid(g[3]), tanh(c));
      if (s.w_hr.defined()) h = mm(h, t(s.w_hr));
    } else if (s.cell == RecurrentCell::kGru) {
      std::vector<Tensor> xg = chunk(x, 3, 1), hg = chunk(h_lin, 3, 1);
      Tensor r = sigmoid(add(xg[0], hg[0])), z = sigmoid(add(xg[1], hg[1]));
      Tensor n = tanh(add(xg[2], mul(r, hg[2])));
      h = add(n, mul(z, sub(h, n)));
    } else {
      Tensor pre = add(x, h_lin);
      h = s.cell == RecurrentCell::kRnnTanh ? tanh(pre) : relu(pre);
    }
    if (s.lengths.defined()) {  // rows whose sequence has ended keep their state
      const Tensor running = unsqueeze(gt(s.lengths, time), 1);
      h = where(running, h, h_prev);
      if (s.lstm()) c = where(running, c, c_prev);
    }
    outputs[static_cast<size_t>(time)] = h;
  }
  Tensor output = s.steps() ? stack(outputs, 0) : empty_sequence(s, s.hidden_out());
  std::vector<Tensor> result{output, s.steps() ? h : clone(s.h0)};
  if (s.lstm()) result.push_back(s.steps() ? c : clone(s.c0));
  return result;
}

// ---- the fused path ----------------------------------------------------------------------------------

// What the fused forward keeps for its backward, besides the inputs.
struct ScanRecord {
  Tensor output;  // (T, N, H_out): each step's hidden state
  Tensor cells;   // LSTM (T, N, H): each step's cell state
  Tensor gates;   // LSTM and GRU (T, N, 4 H): the step kernels' saved gates
  Tensor hidden;  // LSTM with projections (T, N, H): each step's hidden state before the projection
};

const char* ptr(const Tensor& t) { return t.defined() ? static_cast<const char*>(t.data_ptr()) : nullptr; }
char* mut_ptr(const Tensor& t) { return t.defined() ? static_cast<char*>(t.data_ptr()) : nullptr; }

// The hidden (or cell) state that loop step s starts from.
Tensor state_before(const Scan& s, int64_t step, const Tensor& initial, const Tensor& per_time) {
  return step == 0 ? initial : select(per_time, 0, s.time(step - 1));
}

// for_backward: keep every step's gates (otherwise one step's scratch is reused).
ScanRecord scan_fused(const Scan& s, bool for_backward) {
  NoGradGuard no_grad;
  const int64_t H = s.hidden(), G = recurrent::gates(s.cell), N = s.batch();
  ScanRecord r;
  r.output = empty_sequence(s, s.hidden_out());
  if (s.lstm()) r.cells = empty_sequence(s, H);
  if (s.cell == RecurrentCell::kLstm || s.cell == RecurrentCell::kGru)
    r.gates = empty({for_backward ? s.steps() : 1, N, 4 * H}, TensorOptions(s.x.dtype()).device(s.x.device()));
  if (s.w_hr.defined()) r.hidden = empty_sequence(s, H);
  const Tensor x = contiguous(s.x), h0 = contiguous(s.h0), c0 = s.lstm() ? contiguous(s.c0) : Tensor();
  const Tensor bias = s.b_hh.defined() ? contiguous(s.b_hh) : Tensor();
  const Tensor w_t = t(s.w_hh), w_hr_t = s.w_hr.defined() ? t(s.w_hr) : Tensor();
  const auto kernel = checked_kernel(kernel_table(x.device().type).recurrent_step, "recurrent_step", x.device());
  for (int64_t step = 0; step < s.steps(); ++step) {
    const int64_t time = s.time(step);
    const Tensor h_prev = state_before(s, step, h0, r.output);
    const Tensor h_lin = mm(h_prev, w_t);
    Tensor h = select(r.hidden.defined() ? r.hidden : r.output, 0, time);
    RecurrentStepArgs a{};
    a.cell = s.cell;
    a.dtype = x.dtype();
    a.batch = N;
    a.hidden = H;
    a.x = ptr(x) + time * N * G * H * x.element_size();
    a.h_lin = ptr(h_lin);
    a.bias = ptr(bias);
    a.h_prev = ptr(h_prev);
    a.c_prev = s.lstm() ? ptr(state_before(s, step, c0, r.cells)) : nullptr;
    a.lengths = s.lengths.defined() ? s.lengths.data_ptr<int64_t>() : nullptr;
    a.time = time;
    a.h = mut_ptr(h);
    a.c = s.lstm() ? mut_ptr(select(r.cells, 0, time)) : nullptr;
    a.saved = r.gates.defined() ? mut_ptr(select(r.gates, 0, for_backward ? time : 0)) : nullptr;
    kernel(a);
    if (s.w_hr.defined()) {
      Tensor out = select(r.output, 0, time);
      copy_(out, mm(h, w_hr_t));
    }
  }
  return r;
}

// Rows (T * N, features) of a (T, N, features) tensor.
Tensor rows(const Tensor& t) { return reshape(t, {t.sizes()[0] * t.sizes()[1], t.sizes()[2]}); }

struct RecurrentBackward final : Node {
  RecurrentCell cell;
  bool reverse;
  SavedVariable x, h0, c0, w_hh, b_hh, w_hr;
  Tensor lengths;
  SavedVariable output;
  Tensor cells, gates, hidden;  // the fused forward's own buffers (no one else can write them)

  std::string name() const override {
    return cell == RecurrentCell::kLstm ? "LstmBackward0" : cell == RecurrentCell::kGru ? "GruBackward0" : "RnnBackward0";
  }
  void release_variables() override {
    for (SavedVariable* v : {&x, &h0, &c0, &w_hh, &b_hh, &w_hr, &output}) v->reset();
    cells = gates = hidden = lengths = Tensor();
  }

  Scan unpack() {
    return Scan{cell, reverse, x.unpack(this), h0.unpack(this), c0.unpack(this), w_hh.unpack(this),
                b_hh.unpack(this), w_hr.unpack(this), lengths};
  }

  TensorList apply(TensorList&& grads) override {
    autocast::ExcludeGuard exact;  // the layer runs outside autocast (docs/differences.md), its backward too
    Scan s = unpack();
    // create_graph: differentiate the composed steps, so the gradients are differentiable themselves.
    if (grad_enabled()) return composed_backward(s, grads);
    return fused_backward(s, grads);
  }

  TensorList composed_backward(const Scan& s, const TensorList& grads) {
    std::vector<Tensor> outputs = scan_composed(s), roots, root_grads;
    for (size_t i = 0; i < grads.size(); ++i)
      if (grads[i].defined()) {
        roots.push_back(outputs[i]);
        root_grads.push_back(grads[i]);
      }
    TensorList inputs;
    const Tensor* all[] = {&s.x, &s.h0, &s.c0, &s.w_hh, &s.b_hh, &s.w_hr};
    for (size_t i = 0; i < 6; ++i)
      if (next_edges[i].valid()) inputs.push_back(*all[i]);
    TensorList result(6);
    if (roots.empty() || inputs.empty()) return result;
    TensorList computed = dg::grad(roots, inputs, root_grads, true, true, true);
    for (size_t i = 0, k = 0; i < 6; ++i)
      if (next_edges[i].valid()) result[i] = computed[k++];
    return result;
  }

  TensorList fused_backward(const Scan& s, const TensorList& grads) {
    const int64_t T = s.steps(), N = s.batch(), H = s.hidden(), Hout = s.hidden_out(), G = recurrent::gates(cell);
    const TensorOptions options = TensorOptions(s.x.dtype()).device(s.x.device());
    const Tensor out = output.unpack(this);
    const Tensor grad_out = grads[0].defined() ? contiguous(grads[0]) : Tensor();
    Tensor dh = grads[1].defined() ? contiguous(grads[1]) : zeros({N, Hout}, options);
    Tensor dc = s.lstm() ? (grads.size() > 2 && grads[2].defined() ? contiguous(grads[2]) : zeros({N, H}, options))
                         : Tensor();
    Tensor grad_x = empty_sequence(s, G * H);
    Tensor grad_h_lin = cell == RecurrentCell::kGru ? empty_sequence(s, G * H) : grad_x;
    Tensor grad_h_all = s.w_hr.defined() ? empty_sequence(s, Hout) : Tensor();  // for weight_hr's gradient
    const auto kernel = checked_kernel(kernel_table(s.x.device().type).recurrent_step_backward,
                                       "recurrent_step_backward", s.x.device());
    const Tensor h0v = contiguous(s.h0), c0v = s.lstm() ? contiguous(s.c0) : Tensor();
    for (int64_t step = T - 1; step >= 0; --step) {
      const int64_t time = s.time(step);
      Tensor g_h = grad_out.defined() ? add(dh, select(grad_out, 0, time)) : dh;
      if (grad_h_all.defined()) {
        Tensor slot = select(grad_h_all, 0, time);
        copy_(slot, g_h);
        g_h = mm(g_h, s.w_hr);  // the gradient w.r.t. the hidden state before the projection
      }
      g_h = contiguous(g_h);
      Tensor grad_c_prev = s.lstm() ? empty({N, H}, options) : Tensor();
      // GRU's direct term, or the carried gradient of finished rows (zero where the others run).
      Tensor grad_h_direct = cell == RecurrentCell::kGru ? empty({N, H}, options)
                             : s.lengths.defined()       ? zeros({N, H}, options)
                                                         : Tensor();
      RecurrentStepBackwardArgs a{};
      a.cell = cell;
      a.dtype = s.x.dtype();
      a.batch = N;
      a.hidden = H;
      a.saved = gates.defined() ? ptr(select(gates, 0, time)) : nullptr;
      a.h_prev = ptr(state_before(s, step, h0v, out));
      a.h = ptr(select(out, 0, time));
      a.c_prev = s.lstm() ? ptr(state_before(s, step, c0v, cells)) : nullptr;
      a.c = s.lstm() ? ptr(select(cells, 0, time)) : nullptr;
      a.grad_h = ptr(g_h);
      a.grad_c = ptr(dc);
      a.lengths = s.lengths.defined() ? s.lengths.data_ptr<int64_t>() : nullptr;
      a.time = time;
      a.grad_x = mut_ptr(select(grad_x, 0, time));
      a.grad_h_lin = cell == RecurrentCell::kGru ? mut_ptr(select(grad_h_lin, 0, time)) : nullptr;
      a.grad_h_prev = mut_ptr(grad_h_direct);
      a.grad_c_prev = mut_ptr(grad_c_prev);
      kernel(a);
      dh = mm(select(grad_h_lin, 0, time), s.w_hh);
      if (grad_h_direct.defined()) dh = add(dh, grad_h_direct);
      dc = grad_c_prev;
    }
    TensorList result(6);
    result[0] = grad_x;
    if (next_edges[1].valid()) result[1] = dh;
    if (next_edges[2].valid()) result[2] = dc;
    if (next_edges[3].valid() && T > 0) {
      // Each step's h_lin gradient times the hidden state it read, summed over steps: one GEMM.
      std::vector<Tensor> before(static_cast<size_t>(T));
      for (int64_t step = 0; step < T; ++step) before[static_cast<size_t>(s.time(step))] = state_before(s, step, h0v, out);
      result[3] = mm(t(rows(grad_h_lin)), rows(stack(before, 0)));
    } else if (next_edges[3].valid()) {
      result[3] = zeros_like(s.w_hh);
    }
    if (next_edges[4].valid()) result[4] = sum(grad_h_lin, {0, 1});
    if (next_edges[5].valid()) result[5] = T > 0 ? mm(t(rows(grad_h_all)), rows(hidden)) : zeros_like(s.w_hr);
    return result;
  }
};

// Packed LSTMs with projections carry the projected state, which the kernel never sees: composed.
bool has_fused_kernel(const Scan& s) {
  return (s.x.dtype() == kFloat32 || s.x.dtype() == kFloat64) && !(s.lengths.defined() && s.w_hr.defined()) &&
         kernel_table(s.x.device().type).recurrent_step != nullptr;
}

std::vector<Tensor> recurrent_scan(const Scan& s) {
  check_scan(s);
  if (!has_fused_kernel(s)) return scan_composed(s);
  const bool recording = any_requires_grad({&s.x, &s.h0, &s.c0, &s.w_hh, &s.b_hh, &s.w_hr});
  ScanRecord r = scan_fused(s, recording);
  const int64_t last = s.steps() ? s.time(s.steps() - 1) : -1;
  std::vector<Tensor> result{r.output, clone(last >= 0 ? select(r.output, 0, last) : s.h0)};
  if (s.lstm()) result.push_back(clone(last >= 0 ? select(r.cells, 0, last) : s.c0));
  if (recording) {
    auto node = make_intrusive<RecurrentBackward>();
    node->cell = s.cell;
    node->reverse = s.reverse;
    node->x = SavedVariable(s.x, false);
    node->h0 = SavedVariable(s.h0, false);
    node->c0 = SavedVariable(s.c0, false);
    node->w_hh = SavedVariable(s.w_hh, false);
    node->b_hh = SavedVariable(s.b_hh, false);
    node->w_hr = SavedVariable(s.w_hr, false);
    node->cells = r.cells;
    node->gates = r.gates;
    node->hidden = r.hidden;
    node->lengths = s.lengths;
    record(result, {&s.x, &s.h0, &s.c0, &s.w_hh, &s.b_hh, &s.w_hr}, node);
    node->output = SavedVariable(result[0], true);
  }
  return result;
}

}  // namespace

std::vector<Tensor> recurrent_layer(const std::string& mode, const Tensor& input, const Tensor& h0, const Tensor& c0,
                                    const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                                    const Tensor& w_hr, bool reverse, const Tensor& lengths) {
  autocast::ExcludeGuard exact;  // its GEMMs run in the layer's dtype (docs/differences.md)
  const RecurrentCell cell = parse_cell(mode);
  DG_CHECK(input.dim() == 3, Error, "recurrent_layer: expected a (time, batch, features) input, got ", input.sizes());
  DG_CHECK(w_ih.dim() == 2 && w_ih.sizes()[1] == input.sizes()[2], Error, "recurrent_layer: input.size(-1) must be "
           "equal to input_size. Expected ", w_ih.dim() == 2 ? w_ih.sizes()[1] : -1, ", got ", input.sizes()[2]);
  DG_CHECK(is_floating_point(input.dtype()), TypeError, "recurrent_layer: expected a floating-point input, got ",
           dtype_name(input.dtype()));
  for (const Tensor* w : {&w_ih, &b_ih})
    DG_CHECK(!w->defined() || w->dtype() == input.dtype(), TypeError, "recurrent_layer: expected every tensor of "
             "dtype ", dtype_name(input.dtype()), ", got ", dtype_name(w->dtype()));
  const int64_t T = input.sizes()[0], N = input.sizes()[1];
  // Every step's input projection in one GEMM.
  Tensor x = mm(reshape(input, {T * N, input.sizes()[2]}), t(w_ih));
  if (b_ih.defined()) x = add(x, b_ih);
  x = reshape(x, {T, N, w_ih.sizes()[0]});
  return recurrent_scan(
      Scan{cell, reverse, x, h0, cell == RecurrentCell::kLstm ? c0 : Tensor(), w_hh, b_hh, w_hr, lengths});
}

}  // namespace dg
