#include "autograd/internal.h"
#include "dyngraph/ops.h"

namespace dg {

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  DG_CHECK(!t.impl()->is_inference() || inference_mode_enabled(), Error,
           "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
           "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use "
           "it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.");
  was_defined_ = true;
  is_output_ = is_output;
  saved_version_ = version(t);
  requires_grad_ = requires_grad(t);
  output_nr_ = output_nr(t);
  // An output saved by its own grad_fn would form a cycle (node -> output ->
  // node): keep a detached alias and reattach the node on unpack.
  data_ = is_output ? detach(t) : t;
}

Tensor SavedVariable::unpack(Node* owner) const {
  if (!was_defined_) return Tensor();
  DG_CHECK(data_.defined(), Error,
           "Trying to backward through the graph a second time (or directly access saved tensors after they have "
           "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
           "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
           "if you need to access saved tensors after calling backward.");
  uint32_t now = version(data_);
  DG_CHECK(now == saved_version_, Error,
           "one of the variables needed for gradient computation has been modified by an inplace operation: ",
           describe(data_), ", which is ", is_output_ ? "an output" : "an input", " of ",
           owner ? owner->name() : std::string("a backward function"), ", is at version ", now, "; expected version ",
           saved_version_, " instead. Hint: the operation that failed to compute its gradient saved this tensor; "
           "clone() it before modifying it in place.");
  if (is_output_ && requires_grad_ && owner) {
    Tensor t = detach(data_);
    AutogradMeta& m = t.impl()->ensure_autograd_meta();
    m.grad_fn = intrusive_ptr<Node>(owner);
    m.output_nr = output_nr_;
    return t;
  }
  return data_;
}

void SavedVariable::reset() { data_ = Tensor(); }

}  // namespace dg
