// embedding_bag: PyTorch's checks, the bags as (B + 1) offsets into the flat
// indices (a 2-d input is B bags of equal length), then the bag kernel. The
// backward adds each bag's gradient into its rows (scaled for 'mean' and by
// the per-sample weights) and, as in PyTorch, is not differentiable again.
#include <algorithm>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

struct EmbeddingBagBackward final : Node {
  SavedVariable weight, per_sample_weights;
  Tensor indices, offsets, bag_size, max_indices, frequency;  // computed without history
  BagMode mode = BagMode::mean;
  int64_t padding_idx = -1;
  bool has_per_sample_weights = false;
  std::string name() const override { return "EmbeddingBagBackward0"; }
  void release_variables() override {
    weight.reset();
    per_sample_weights.reset();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor w = weight.unpack(this);
    NoGradGuard no_grad;
    Tensor g = contiguous(to_dtype(grads[0], w.dtype())), dense = contiguous(w);
    Tensor psw = has_per_sample_weights ? contiguous(per_sample_weights.unpack(this)) : Tensor();
    Tensor grad_weight = zeros(w.sizes(), TensorOptions(w.dtype()).device(w.device()));
    // zeros: an index in no bag (there are no bags) gets no gradient.
    Tensor grad_psw = has_per_sample_weights ? zeros(psw.sizes(), TensorOptions(w.dtype()).device(w.device())) : Tensor();
    EmbeddingBagArgs args{&dense, &indices, &offsets, psw.defined() ? &psw : nullptr, mode, padding_idx};
    args.bag_size = &bag_size;
    args.max_indices = max_indices.defined() ? &max_indices : nullptr;
    args.grad_output = &g;
    args.grad_weight = &grad_weight;
    args.grad_per_sample_weights = grad_psw.defined() ? &grad_psw : nullptr;
    checked_kernel(kernel_table(w.device().type).embedding_bag_backward, "embedding_bag_backward", w.device())(args);
    // scale_grad_by_freq: each row's gradient divided by how often the row occurs in the batch.
    if (frequency.defined()) grad_weight = div(grad_weight, unsqueeze(frequency, 1));
    return {grad_weight, grad_psw};
  }
};

Tensor int64_indices(const Tensor& t, const char* argument, const char* op) {
  DG_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, Error, "Expected tensor for argument #1 '", argument,
           "' to have one of the following scalar types: Long, Int; but got ", scalar_type_name(t.dtype()),
           " instead (while checking arguments for ", op, ")");
  return contiguous(to_dtype(t, kInt64));
}

// The offsets checked as PyTorch checks them, as (B + 1) bounds on the host.
std::vector<int64_t> bag_bounds(const Tensor& offsets, int64_t length, bool include_last_offset) {
  Tensor host = to_device(int64_indices(offsets, "offsets", "embedding_bag"), Device(DeviceType::CPU));
  const int64_t* o = reinterpret_cast<const int64_t*>(host.data_ptr());
  const int64_t count = host.numel();
  DG_CHECK(!include_last_offset || count >= 1, Error, "include_last_offset: number of offset should be at least 1");
  std::vector<int64_t> bounds(o, o + count);
  if (count > 0) {
    DG_CHECK(o[0] == 0, Error, "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
             "position 0. However, got ", o[0]);
    DG_CHECK(o[count - 1] <= length, Error, "offsets[-1] can not be greater than input's length ", length,
             " but got offsets[-1] of ", o[count - 1]);
    for (int64_t k = 0; k < count; ++k) DG_CHECK(o[k] >= 0, IndexError, "index out of range in self");
    for (int64_t k = 1; k < count; ++k)
      DG_CHECK(o[k] >= o[k - 1], Error, "embedding_bag: offsets must be non-decreasing");
  }
  // The last bag runs to the end of the input (with include_last_offset too, whatever the last offset says: PyTorch's rule).
  if (include_last_offset) bounds.back() = length;
  else bounds.push_back(length);
  return bounds;
}

BagMode bag_mode(const std::string& mode) {
  if (mode == "sum") return BagMode::sum;
  if (mode == "mean") return BagMode::mean;
  DG_CHECK(mode == "max", ValueError, "mode has to be one of sum, mean or max, got ", mode);
  return BagMode::max;
}

}  // namespace

Tensor embedding_bag(const Tensor& weight, const Tensor& input, const std::optional<Tensor>& offsets,
                     const std::string& mode, const std::optional<Tensor>& per_sample_weights,
                     bool include_last_offset, std::optional<int64_t> padding_idx, bool scale_grad_by_freq) {
  const BagMode bag = bag_mode(mode);
  DG_CHECK(weight.dim() == 2, ValueError, "weight has to be a 2D Tensor, but got Tensor of dimension ", weight.dim());
  DG_CHECK(is_floating_point(weight.dtype()), Error, "Expected tensor for argument #1 'weight' to have one of the "
           "following scalar types: Half, BFloat16, Float, Double; but got ", scalar_type_name(weight.dtype()),
           " instead (while checking arguments for embedding_bag)");
  DG_CHECK(!per_sample_weights || bag == BagMode::sum, NotImplementedError, "embedding_bag: per_sample_weights was "
           "not None. per_sample_weights is only supported for mode='sum' (got mode='", mode, "'). Please open a "
           "feature request on GitHub.");
  DG_CHECK(!(scale_grad_by_freq && bag == BagMode::max), ValueError,
           "max mode does not support scaling the gradient by the frequency");
  DG_CHECK(input.dim() == 1 || input.dim() == 2, ValueError, "input has to be 1D or 2D Tensor, but got Tensor of "
           "dimension ", input.dim());
  const int64_t rows = weight.sizes()[0];
  if (padding_idx)
    DG_CHECK(*padding_idx >= -rows && *padding_idx < rows, Error, "padding_idx must be within the number of "
             "embeddings, ", -rows, " through ", rows - 1, ", but got ", *padding_idx);
  const int64_t padding = !padding_idx ? -1 : *padding_idx < 0 ? *padding_idx + rows : *padding_idx;
  Tensor indices = reshape(int64_indices(input, "indices", "embedding_bag"), {-1});
  std::vector<int64_t> bounds;
  if (input.dim() == 2) {
    DG_CHECK(!offsets, ValueError, "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
             "of fixed length sequences.");
    const int64_t bags = input.sizes()[0], length = input.sizes()[1];
    for (int64_t b = 0; b <= bags; ++b) bounds.push_back(b * length);
  } else {
    DG_CHECK(offsets.has_value(), ValueError, "offsets has to be a 1D Tensor but got None");
    DG_CHECK(offsets->dim() == 1, ValueError, "offsets has to be a 1D Tensor");
    bounds = bag_bounds(*offsets, indices.numel(), include_last_offset);
  }
  Tensor psw;
  if (per_sample_weights) {
    DG_CHECK(per_sample_weights->sizes().equals(input.sizes()), ValueError, "embedding_bag: If per_sample_weights (",
             per_sample_weights->sizes(), ") is not None, then it must have the same shape as the input (",
             input.sizes(), ")");
    DG_CHECK(per_sample_weights->dtype() == weight.dtype(), Error, "Expected tensor for argument #1 'weight' to have "
             "the same type as tensor for argument #1 'per_sample_weights'; but type ",
             scalar_type_name(weight.dtype()), " does not equal ", scalar_type_name(per_sample_weights->dtype()));
    DG_CHECK(per_sample_weights->device() == weight.device(), Error, "Expected all tensors to be on the same device, "
             "but found at least two devices, ", weight.device().str(), " and ", per_sample_weights->device().str(), "!");
    psw = reshape(contiguous(*per_sample_weights), {-1});
  }
  const Device device = weight.device();
  const int64_t bags = static_cast<int64_t>(bounds.size()) - 1, dim = weight.sizes()[1];
  Tensor offsets_dense = empty({bags + 1}, TensorOptions(kInt64));
  std::copy(bounds.begin(), bounds.end(), reinterpret_cast<int64_t*>(offsets_dense.data_ptr()));
  offsets_dense = to_device(offsets_dense, device);
  indices = to_device(indices, device);
  Tensor dense = contiguous(weight);
  Tensor out = empty({bags, dim}, TensorOptions(weight.dtype()).device(device));
  Tensor bag_size = zeros({bags}, TensorOptions(kInt64).device(device));
  Tensor max_indices = bag == BagMode::max ? empty({bags, dim}, TensorOptions(kInt64).device(device)) : Tensor();
  Tensor bad = zeros({2}, TensorOptions(kInt64).device(device));
  EmbeddingBagArgs args{&dense, &indices, &offsets_dense, psw.defined() ? &psw : nullptr, bag, padding};
  args.output = &out;
  args.bag_size = &bag_size;
  args.max_indices = max_indices.defined() ? &max_indices : nullptr;
  args.bad_index = &bad;
  if (bags > 0) checked_kernel(kernel_table(device.type).embedding_bag, "embedding_bag", device)(args);
  // One read of two values: the only host synchronisation of the forward.
  Tensor flag = to_device(bad, Device(DeviceType::CPU));
  const int64_t* found = reinterpret_cast<const int64_t*>(flag.data_ptr());
  // RuntimeError, as PyTorch raises for embedding_bag (its embedding raises IndexError).
  DG_CHECK(found[0] == 0, Error, "index ", found[1], " is out of bounds for dimension 0 with size ", rows);
  Tensor w = weight, p = per_sample_weights ? *per_sample_weights : Tensor();
  if (any_requires_grad({&w, &p})) {
    auto node = make_intrusive<EmbeddingBagBackward>();
    node->weight = SavedVariable(weight, false);
    if (per_sample_weights) node->per_sample_weights = SavedVariable(*per_sample_weights, false);
    node->has_per_sample_weights = per_sample_weights.has_value();
    node->indices = indices;
    node->offsets = offsets_dense;
    node->bag_size = bag_size;
    node->max_indices = max_indices;
    node->mode = bag;
    node->padding_idx = padding;
    if (scale_grad_by_freq) {
      NoGradGuard no_grad;
      Tensor ones_per_index = ones({indices.numel()}, TensorOptions(weight.dtype()).device(device));
      Tensor counts = scatter(zeros({rows}, TensorOptions(weight.dtype()).device(device)), 0, indices, ones_per_index, true);
      node->frequency = clamp(counts, Scalar(1), std::nullopt);
    }
    record(out, {&w, &p}, node);
  }
  return out;
}

}  // namespace dg
