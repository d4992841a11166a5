// How an op on autocast's lower-precision list consults autocast at entry:
//
//   if (auto out = autocast::run_lower_precision(a, [&](const Tensor& x, const Tensor& y) { return mm(x, y); },
//                                                a, b))
//     return *out;
//
// When autocast is on for the device type of the op's first tensor (and not
// excluded), the tensor arguments are cast and the op runs again, excluded.
#pragma once

#include <optional>

#include "dyngraph/autocast.h"

namespace dg::autocast {

// The dtype of the lower-precision ops for `first`'s device type, when autocast applies there.
std::optional<Dtype> lower_precision_dtype(const Tensor& first);

inline Tensor cast_argument(const Tensor& t, Dtype to, DeviceType device) { return cast(t, to, device); }
inline std::optional<Tensor> cast_argument(const std::optional<Tensor>& t, Dtype to, DeviceType device) {
  if (!t) return t;
  return cast(*t, to, device);
}

template <class Op, class... Tensors>
std::optional<Tensor> run_lower_precision(const Tensor& first, Op&& op, const Tensors&... tensors) {
  const std::optional<Dtype> to = lower_precision_dtype(first);
  if (!to) return std::nullopt;
  const DeviceType device = first.device().type;
  ExcludeGuard inner;
  return op(cast_argument(tensors, *to, device)...);
}

}  // namespace dg::autocast
