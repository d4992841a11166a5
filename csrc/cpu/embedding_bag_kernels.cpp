// CPU kernels of embedding_bag: a bag per task in the forward (its rows
// added, averaged or maxed into a float accumulator, vectorized over the
// features), and a range of features per task in the backward, so tasks
// never add into the same gradient element.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

// Any one of the bad indices will do for the message; threads may find several.
void record_bad_index(int64_t* slot, int64_t value) {
#pragma omp critical(dg_embedding_bag_bad_index)
  {
    slot[0] = 1;
    slot[1] = value;
  }
}

void embedding_bag_kernel(const EmbeddingBagArgs& a) {
  const int64_t rows = a.weight->sizes()[0], dim = a.weight->sizes()[1], bags = a.offsets->numel() - 1;
  DG_DISPATCH_FLOATING(a.weight->dtype(), "embedding_bag", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* weight = reinterpret_cast<const T*>(a.weight->data_ptr());
    const int64_t* indices = reinterpret_cast<const int64_t*>(a.indices->data_ptr());
    const int64_t* offsets = reinterpret_cast<const int64_t*>(a.offsets->data_ptr());
    const T* psw = a.per_sample_weights ? reinterpret_cast<const T*>(a.per_sample_weights->data_ptr()) : nullptr;
    T* out = reinterpret_cast<T*>(a.output->data_ptr());
    int64_t* sizes = reinterpret_cast<int64_t*>(a.bag_size->data_ptr());
    int64_t* chosen = a.max_indices ? reinterpret_cast<int64_t*>(a.max_indices->data_ptr()) : nullptr;
    int64_t* bad = reinterpret_cast<int64_t*>(a.bad_index->data_ptr());
    parallel_for(0, bags, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(dim * 8, 1)), [&](int64_t b, int64_t e) {
      std::vector<M> acc(static_cast<size_t>(dim));
      for (int64_t bag = b; bag < e; ++bag) {
        std::fill(acc.begin(), acc.end(), M(0));
        int64_t* chosen_row = chosen ? chosen + bag * dim : nullptr;
        if (chosen_row) std::fill(chosen_row, chosen_row + dim, int64_t(-1));
        int64_t count = 0;
        for (int64_t i = offsets[bag]; i < offsets[bag + 1]; ++i) {
          const int64_t idx = indices[i];
          if (idx < 0 || idx >= rows) {
            record_bad_index(bad, idx);
            continue;
          }
          if (idx == a.padding_idx) continue;
          const T* row = weight + idx * dim;
          ++count;
          if (a.mode == BagMode::max) {
            for (int64_t d = 0; d < dim; ++d) {
              const M v = static_cast<M>(row[d]);
              if (count == 1 || v > acc[static_cast<size_t>(d)]) {
                acc[static_cast<size_t>(d)] = v;
                chosen_row[d] = idx;
              }
            }
          } else {
            const M scale = psw ? static_cast<M>(psw[i]) : M(1);
            M* accp = acc.data();
_Pragma("omp simd")
            for (int64_t d = 0; d < dim; ++d) accp[d] += scale * static_cast<M>(row[d]);
          }
        }
        sizes[bag] = count;
        const M divisor = a.mode == BagMode::mean && count > 0 ? static_cast<M>(count) : M(1);
        for (int64_t d = 0; d < dim; ++d) out[bag * dim + d] = static_cast<T>(acc[static_cast<size_t>(d)] / divisor);
      }
    });
  });
}

void embedding_bag_backward_kernel(const EmbeddingBagArgs& a) {
  const int64_t dim = a.weight->sizes()[1], bags = a.offsets->numel() - 1;
  DG_DISPATCH_FLOATING(a.weight->dtype(), "embedding_bag_backward", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* weight = reinterpret_cast<const T*>(a.weight->data_ptr());
    const int64_t* indices = reinterpret_cast<const int64_t*>(a.indices->data_ptr());
    const int64_t* offsets = reinterpret_cast<const int64_t*>(a.offsets->data_ptr());
    const T* psw = a.per_sample_weights ? reinterpret_cast<const T*>(a.per_sample_weights->data_ptr()) : nullptr;
    const int64_t* sizes = reinterpret_cast<const int64_t*>(a.bag_size->data_ptr());
    const int64_t* chosen = a.max_indices ? reinterpret_cast<const int64_t*>(a.max_indices->data_ptr()) : nullptr;
    const T* grad = reinterpret_cast<const T*>(a.grad_output->data_ptr());
    T* gw = reinterpret_cast<T*>(a.grad_weight->data_ptr());
    auto add = [](T& slot, M v) { slot = static_cast<T>(static_cast<M>(slot) + v); };
    parallel_for(0, dim, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(bags * 4, 1)), [&](int64_t d0, int64_t d1) {
      for (int64_t bag = 0; bag < bags; ++bag) {
        const T* g = grad + bag * dim;
        if (a.mode == BagMode::max) {
          for (int64_t d = d0; d < d1; ++d)
            if (chosen[bag * dim + d] >= 0) add(gw[chosen[bag * dim + d] * dim + d], static_cast<M>(g[d]));
          continue;
        }
        for (int64_t i = offsets[bag]; i < offsets[bag + 1]; ++i) {
          const int64_t idx = indices[i];
          if (idx == a.padding_idx) continue;
          const M scale = a.mode == BagMode::mean ? M(1) / static_cast<M>(sizes[bag]) : psw ? static_cast<M>(psw[i]) : M(1);
          T* row = gw + idx * dim;
          for (int64_t d = d0; d < d1; ++d) add(row[d], scale * static_cast<M>(g[d]));
        }
      }
    });
    if (!a.grad_per_sample_weights) return;
    T* gp = reinterpret_cast<T*>(a.grad_per_sample_weights->data_ptr());
    parallel_for(0, bags, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(dim * 8, 1)), [&](int64_t b, int64_t e) {
      for (int64_t bag = b; bag < e; ++bag)
        for (int64_t i = offsets[bag]; i < offsets[bag + 1]; ++i) {
          M dot = 0;
          if (indices[i] != a.padding_idx) {
            const T* row = weight + indices[i] * dim;
            const T* g = grad + bag * dim;
            for (int64_t d = 0; d < dim; ++d) dot += static_cast<M>(g[d]) * static_cast<M>(row[d]);
          }
          gp[i] = static_cast<T>(dot);
        }
    });
  });
}

}  // namespace

void register_embedding_bag_kernels(KernelTable& t) {
  t.embedding_bag = &embedding_bag_kernel;
  t.embedding_bag_backward = &embedding_bag_backward_kernel;
}

}  // namespace dg::cpu
