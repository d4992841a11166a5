// The class-index loss term shared by the CPU and CUDA nll kernels: position
// p = (o, j) of a dense (outer, C, inner) log-probability input picks class
// t = target[p] (an ignored target contributes 0 with weight 0).
#pragma once

#include <cstdint>

#include "dyngraph/export.h"

namespace dg {

template <class M>
struct NllTerm {
  M loss, weight;  // -logp[o, t, j] * w[t], and w[t]
  bool in_range;        // false: t is neither ignore_index nor in [0, C)
};

template <class T, class M>
DG_HOST_DEVICE inline NllTerm<M> nll_term(const T* log_probs, const int64_t* target, const T* weight, int64_t classes,
                                       int64_t inner, int64_t ignore_index, int64_t p) {
  const int64_t t = target[p];
  if (t == ignore_index) return {M(0), M(0), true};
  if (t < 0 || t >= classes) return {M(0), M(0), false};
  const int64_t o = p / inner, j = p % inner;
  const M w = weight ? static_cast<M>(weight[t]) : M(1);
  const M picked = static_cast<M>(log_probs[(o * classes + t) * inner + j]);
  return {-picked * w, w, true};
}

}  // namespace dg
