// In-place ops under autograd: the written tensor (or, for a view, its base)
// takes the op's node as its new history.
#include "autograd/internal.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

struct Geometry {
  Shape sizes, strides;
  int64_t offset;
  explicit Geometry(const Tensor& t) : sizes(t.sizes()), strides(t.strides()), offset(t.storage_offset()) {}
};

// A fresh zero tensor laid out like `base`, and the region `view` covers in it.
Tensor zeros_like_geometry(const Geometry& base, Dtype dtype, Device device) {
  Tensor z = empty_strided(base.sizes, base.strides, TensorOptions(dtype).device(device));
  NoGradGuard no_grad;
  return fill_(z, 0);
}
Tensor region(const Tensor& t, const Geometry& base, const Geometry& view) {
  return as_strided(t, view.sizes, view.strides, t.storage_offset() + view.offset - base.offset);
}

// The gradient of a view of a base: zero except on the view's elements.
struct AsStridedBackward final : Node {
  Geometry base, view;
  AsStridedBackward(Geometry b, Geometry v) : base(std::move(b)), view(std::move(v)) {}
  std::string name() const override { return "AsStridedBackward0"; }
  TensorList apply(TensorList&& grads) override {
    const InputMeta& m = next_edges[0].fn ? next_edges[0].fn->input_meta[next_edges[0].input_nr] : input_meta[0];
    Tensor z = zeros_like_geometry(base, m.dtype, m.device);
    Tensor r = region(z, base, view);
    copy_(r, grads[0]);
    return {z};
  }
};

// The base's history after an in-place op `fn` on one of its views: the
// gradient for the base flows to its old history, except on the view's
// elements, where it goes through fn first.
struct CopySlices final : Node {
  Geometry base, view;
  intrusive_ptr<Node> fn;
  uint32_t fn_output;
  CopySlices(Geometry b, Geometry v, intrusive_ptr<Node> f, uint32_t out)
      : base(std::move(b)), view(std::move(v)), fn(std::move(f)), fn_output(out) {}
  std::string name() const override { return "CopySlices"; }
  void release_variables() override { fn->release_variables(); }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor result = empty_strided(base.sizes, base.strides, TensorOptions(g.dtype()).device(g.device()));
    copy_(result, g);
    Tensor slice = region(result, base, view);
    TensorList fn_grads(fn->input_meta.size());
    fn_grads[fn_output] = clone(slice);
    TensorList res = (*fn)(std::move(fn_grads));
    TensorList out(next_edges.size());
    if (!res.empty() && res[0].defined()) {
      copy_(slice, res[0]);
    } else {
      fill_(slice, 0);
    }
    out[0] = result;
    for (size_t i = 1; i < res.size() && i < out.size(); ++i) out[i] = res[i];
    return out;
  }
};

bool has_internal_overlap(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.strides()[d] == 0 && t.sizes()[d] > 1) return true;
  return false;
}

}  // namespace

void rebase_history(Tensor& t, const intrusive_ptr<Node>& fn, uint32_t out_nr) {
  TensorImpl* base_impl = t.impl()->view_base();
  if (!base_impl) {
    AutogradMeta& m = t.impl()->ensure_autograd_meta();
    m.grad_fn = fn;
    m.output_nr = out_nr;
    if (fn->input_meta.size() <= out_nr) fn->input_meta.push_back({Shape(t.sizes()), t.dtype(), t.device()});
    return;
  }
  // fn's forward output is the view's new value.
  if (fn->input_meta.size() <= out_nr) fn->input_meta.push_back({Shape(t.sizes()), t.dtype(), t.device()});
  Tensor base{intrusive_ptr<TensorImpl>(base_impl)};
  DG_CHECK(base.dtype() == t.dtype(), Error,
           "in-place operation on a view with another dtype than its base (e.g. .real) is not supported under "
           "autograd");
  DG_CHECK(!has_internal_overlap(base), Error,
           "in-place operation on a view of a tensor whose elements overlap (e.g. an expanded tensor) is not "
           "supported under autograd; clone() the tensor first");
  Geometry bg(base), vg(t);
  auto cs = make_intrusive<CopySlices>(bg, vg, fn, out_nr);
  cs->next_edges.push_back(gradient_edge(base));
  for (size_t i = 1; i < fn->next_edges.size(); ++i) cs->next_edges.push_back(fn->next_edges[i]);
  AutogradMeta& bm = base.impl()->ensure_autograd_meta();
  bm.grad_fn = cs;
  bm.output_nr = 0;
  cs->input_meta.push_back({Shape(base.sizes()), base.dtype(), base.device()});
  // The view now reads its gradient off the base's.
  auto vb = make_intrusive<AsStridedBackward>(bg, vg);
  vb->next_edges.push_back({cs, 0});
  AutogradMeta& m = t.impl()->ensure_autograd_meta();
  m.grad_fn = vb;
  m.output_nr = 0;
  vb->input_meta.push_back({Shape(t.sizes()), t.dtype(), t.device()});
  t.impl()->view_history = cs->sequence_nr + 1;
}

void refresh_view_history(const Tensor& t) {
  TensorImpl* impl = t.impl();
  TensorImpl* b = impl->view_base();
  if (!b || impl->view_history == TensorImpl::kNoGradView) return;
  AutogradMeta* bm = b->autograd_meta();
  if (!bm || !bm->grad_fn || bm->grad_fn->sequence_nr + 1 == impl->view_history) return;
  Tensor base{intrusive_ptr<TensorImpl>(b)};
  // The view's geometry is in its own elements: only same-dtype views can be rebuilt.
  if (has_internal_overlap(base) || base.dtype() != t.dtype()) return;
  auto vb = make_intrusive<AsStridedBackward>(Geometry(base), Geometry(t));
  vb->next_edges.push_back({bm->grad_fn, bm->output_nr});
  AutogradMeta& m = impl->ensure_autograd_meta();
  m.grad_fn = vb;
  m.output_nr = 0;
  vb->input_meta.push_back({Shape(t.sizes()), t.dtype(), t.device()});
  impl->view_history = bm->grad_fn->sequence_nr + 1;
}

}  // namespace dg
