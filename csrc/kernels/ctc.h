// The connectionist temporal classification recursions (Graves et al., 2006)
// in log space, shared by the CPU and CUDA kernels. A target l of length L
// is extended with blanks to 2L + 1 states (blank, l1, blank, ..., lL,
// blank); alpha_t(s) is the log probability of the alignments of the first t
// + 1 steps that end in state s, beta_t(s) of those of steps t.. that start in
// it (both include step t's emission).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "dyngraph/export.h"

namespace dg {

template <class M>
DG_HOST_DEVICE inline M log_add(M a, M b) {
  const M lowest = -std::numeric_limits<M>::infinity();
  if (a == lowest) return b;
  if (b == lowest) return a;
  const M hi = a > b ? a : b, lo = a > b ? b : a;
  return hi + std::log1p(std::exp(lo - hi));
}

// The label of state s: blank at even states, l[s / 2] at odd ones.
DG_HOST_DEVICE inline int64_t ctc_state_label(const int64_t* target, int64_t s, int64_t blank) {
  return s % 2 == 0 ? blank : target[s / 2];
}

// Whether an alignment may jump from state s - 2 to s: onto a label, past a
// blank, when the label differs from the one before it.
DG_HOST_DEVICE inline bool ctc_can_skip(const int64_t* target, int64_t s) {
  return s % 2 == 1 && s >= 3 && target[s / 2] != target[s / 2 - 1];
}

// alpha_t(s) without step t's emission, from the previous step's row.
template <class M>
DG_HOST_DEVICE inline M ctc_alpha_from(const M* prev, const int64_t* target, int64_t s) {
  M v = prev[s];
  if (s >= 1) v = log_add(v, prev[s - 1]);
  if (ctc_can_skip(target, s)) v = log_add(v, prev[s - 2]);
  return v;
}

// beta_t(s) without step t's emission, from the next step's row of `states` states.
template <class M>
DG_HOST_DEVICE inline M ctc_beta_from(const M* next, const int64_t* target, int64_t s, int64_t states) {
  M v = next[s];
  if (s + 1 < states) v = log_add(v, next[s + 1]);
  if (s + 2 < states && ctc_can_skip(target, s + 2)) v = log_add(v, next[s + 2]);
  return v;
}

}  // namespace dg
