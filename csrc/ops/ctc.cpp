// ctc_loss: PyTorch's argument checks, the targets gathered into a dense
// (N, S) matrix and checked against the class count, then the alpha
// recursion kernel; the backward runs the beta recursion kernel from the
// saved alphas. As in PyTorch, the gradient is not differentiable again.
#include <algorithm>
#include <limits>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

struct CtcLossBackward final : Node {
  SavedVariable log_probs;
  Tensor targets, input_lengths, target_lengths, log_alpha, nll;  // on the device, computed without history
  int64_t blank = 0;
  std::string reduction;
  bool zero_infinity = false, unbatched = false;
  std::string name() const override { return "CtcLossBackward0"; }
  void release_variables() override {
    log_probs.reset();
    log_alpha = Tensor();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor lp = log_probs.unpack(this);
    if (unbatched) lp = unsqueeze(lp, 1);
    const int64_t batch = lp.sizes()[1];
    NoGradGuard no_grad;
    // d loss / d nll[n]: 'mean' divides sample n's loss by its target length (at least 1) and the batch size.
    Tensor g = to_dtype(grads[0], lp.dtype());
    Tensor scale = reduction == "none" ? reshape(g, {batch}) : expand(reshape(g, {1}), {batch});
    if (reduction == "mean")
      scale = div(scale, mul(clamp(to_dtype(target_lengths, lp.dtype()), Scalar(1), std::nullopt), Scalar(batch)));
    scale = contiguous(scale);
    Tensor dense = contiguous(lp);
    Tensor log_beta = empty(log_alpha.sizes(), TensorOptions(lp.dtype()).device(lp.device()));
    Tensor grad = empty(lp.sizes(), TensorOptions(lp.dtype()).device(lp.device()));
    CtcArgs args{&dense, &targets, &input_lengths, &target_lengths, blank, &log_alpha, &nll};
    args.grad_scale = &scale;
    args.zero_infinity = zero_infinity;
    args.log_beta = &log_beta;
    args.grad = &grad;
    checked_kernel(kernel_table(lp.device().type).ctc_backward, "ctc_loss_backward", lp.device())(args);
    return {unbatched ? squeeze(grad, IntArrayRef(int64_t(1))) : grad};
  }
};

void check_lengths(IntArrayRef lengths, const char* name, int64_t batch, int64_t most) {
  DG_CHECK(static_cast<int64_t>(lengths.size()) == batch, Error, name, " must be of size batch_size");
  for (int64_t v : lengths) {
    DG_CHECK(v >= 0, Error, "Expected ", name, " to have value at least 0, but got value ", v);
    if (most >= 0) DG_CHECK(v <= most, Error, "Expected ", name, " to have value at most ", most, ", but got value ", v);
  }
}

// The targets as a dense (N, S) int64 matrix on the host, S the longest
// target: from the padded (N, S') form or the concatenated 1-D one. Every
// entry a sample uses must name a class (PyTorch leaves that unchecked).
Tensor padded_targets(const Tensor& targets, IntArrayRef lengths, int64_t classes) {
  const int64_t batch = static_cast<int64_t>(lengths.size());
  DG_CHECK(targets.dim() == 1 || targets.dim() == 2, Error, "Expected 1 to 2 dimensions, but got ", targets.dim(),
           "-dimensional tensor for argument #2 'targets'");
  // Lengths are non-negative (checked); a sum past int64 saturates (and fails the size check below).
  const int64_t most = std::numeric_limits<int64_t>::max();
  int64_t longest = 0, total = 0;
  for (int64_t v : lengths) {
    longest = std::max(longest, v);
    total = v > most - total ? most : total + v;
  }
  Tensor host = contiguous(to_dtype(to_device(targets, Device(DeviceType::CPU)), kInt64));
  if (targets.dim() == 2) {
    DG_CHECK(targets.sizes()[0] == batch, Error, "Expected tensor to have size ", batch,
             " at dimension 0, but got size ", targets.sizes()[0], " for argument #2 'targets'");
    DG_CHECK(targets.sizes()[1] >= longest, Error, "Expected tensor to have size at least ", longest,
             " at dimension 1, but got size ", targets.sizes()[1], " for argument #2 'targets'");
  } else {
    DG_CHECK(targets.sizes()[0] >= total, Error, "Expected tensor to have size at least ", total,
             " at dimension 0, but got size ", targets.sizes()[0], " for argument #2 'targets'");
  }
  Tensor out = zeros({batch, longest}, TensorOptions(kInt64));
  const int64_t* src = reinterpret_cast<const int64_t*>(host.data_ptr());
  int64_t* dst = reinterpret_cast<int64_t*>(out.data_ptr());
  int64_t offset = 0;
  for (int64_t n = 0; n < batch; ++n) {
    const int64_t* row = targets.dim() == 2 ? src + n * targets.sizes()[1] : src + offset;
    for (int64_t k = 0; k < lengths[static_cast<size_t>(n)]; ++k) {
      DG_CHECK(row[k] >= 0 && row[k] < classes, IndexError, "ctc_loss: target ", row[k], " of sample ", n,
               " is out of bounds for ", classes, " classes");
      dst[n * longest + k] = row[k];
    }
    offset += lengths[static_cast<size_t>(n)];
  }
  return out;
}

Tensor int64_vector(IntArrayRef values, Device device) {
  Tensor t = empty({static_cast<int64_t>(values.size())}, TensorOptions(kInt64));
  std::copy(values.begin(), values.end(), reinterpret_cast<int64_t*>(t.data_ptr()));
  return to_device(t, device);
}

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, IntArrayRef input_lengths,
                IntArrayRef target_lengths, int64_t blank, const std::string& reduction, bool zero_infinity) {
  DG_CHECK(reduction == "mean" || reduction == "sum" || reduction == "none", ValueError, reduction,
           " is not a valid value for reduction");
  DG_CHECK(log_probs.dim() == 2 || log_probs.dim() == 3, Error, "ctc_loss: expected log_probs of 2 or 3 dims, got ",
           log_probs.dim());
  DG_CHECK(log_probs.dtype() == kFloat32 || log_probs.dtype() == kFloat64, NotImplementedError,
           "\"ctc_loss_cpu\" not implemented for '", scalar_type_name(log_probs.dtype()), "'");
  DG_CHECK(!is_complex(targets.dtype()) && targets.dtype() != kBool, Error,
           "ctc_loss: expected integer targets, got ", dtype_name(targets.dtype()));
  const bool unbatched = log_probs.dim() == 2;
  Tensor lp = unbatched ? unsqueeze(log_probs, 1) : log_probs;
  Tensor tg = unbatched && targets.dim() == 1 ? unsqueeze(targets, 0) : targets;
  const int64_t steps = lp.sizes()[0], batch = lp.sizes()[1], classes = lp.sizes()[2];
  check_lengths(input_lengths, "input_lengths", batch, steps);
  check_lengths(target_lengths, "target_lengths", batch, -1);
  DG_CHECK(blank >= 0 && blank < classes, Error, "blank must be in label range");
  const Device device = lp.device();
  Tensor dense_targets = to_device(padded_targets(tg, target_lengths, classes), device);
  Tensor in_len = int64_vector(input_lengths, device), tgt_len = int64_vector(target_lengths, device);
  const int64_t states = 2 * dense_targets.sizes()[1] + 1;
  Tensor dense = contiguous(lp);
  Tensor log_alpha = empty({batch, steps, states}, TensorOptions(lp.dtype()).device(device));
  Tensor nll = empty({batch}, TensorOptions(lp.dtype()).device(device));
  CtcArgs args{&dense, &dense_targets, &in_len, &tgt_len, blank, &log_alpha, &nll};
  if (batch > 0) checked_kernel(kernel_table(device.type).ctc, "ctc_loss", device)(args);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor losses = zero_infinity ? where(isinf(nll), Scalar(0.0), nll) : nll;
    if (reduction == "none") {
      out = unbatched ? reshape(losses, {}) : losses;
    } else if (reduction == "sum") {
      out = sum(losses);
    } else {
      Tensor divisor = clamp(to_dtype(tgt_len, lp.dtype()), Scalar(1), std::nullopt);
      out = mean(div(losses, divisor));
    }
  }
  if (any_requires_grad({&log_probs})) {
    auto node = make_intrusive<CtcLossBackward>();
    node->log_probs = SavedVariable(log_probs, false);
    node->targets = dense_targets;
    node->input_lengths = in_len;
    node->target_lengths = tgt_len;
    node->log_alpha = log_alpha;
    node->nll = nll;
    node->blank = blank;
    node->reduction = reduction;
    node->zero_infinity = zero_infinity;
    node->unbatched = unbatched;
    record(out, {&log_probs}, node);
  }
  return out;
}

}  // namespace dg
