// CUDA reductions over a ReduceIter, with the CPU's reducers
// (kernels/reducers.h). A block reduces one output element's slice, or one
// chunk of it when there are too few outputs to fill the GPU; threads stride
// over the slice, then combine in shared memory. Chunk results are merged by
// a second kernel. Results land in a dense accumulator-typed buffer, and the
// copy kernel converts them into the output's dtype.
#include "core/dispatch.h"
#include "core/reduce_iter.h"
#include "cuda/block_reduce.cuh"
#include "cuda/launch.h"
#include "cuda/loop.cuh"
#include "kernels/reducers.h"

namespace dg::cuda {

namespace {

constexpr int kReduceThreads = 256;

struct ReduceGeometry {
  int out_ndim, red_ndim;
  int64_t out_shape[kMaxLoopDims], out_in_strides[kMaxLoopDims];  // outermost first
  int64_t red_shape[kMaxLoopDims], red_strides[kMaxLoopDims];     // outermost first, bytes
  int64_t out_numel, red_numel;
  const char* in;

  // The input address of output o's first element.
  __device__ const char* base(int64_t o) const {
    const char* p = in;
    for (int d = out_ndim - 1; d >= 0; --d) {
      p += (o % out_shape[d]) * out_in_strides[d];
      o /= out_shape[d];
    }
    return p;
  }
  // Byte offset of element j (logical order) of the reduced slice.
  __device__ int64_t offset(int64_t j) const {
    if (red_ndim == 1) return j * red_strides[0];
    int64_t off = 0;
    for (int d = red_ndim - 1; d >= 0; --d) {
      off += (j % red_shape[d]) * red_strides[d];
      j /= red_shape[d];
    }
    return off;
  }
};

ReduceGeometry make_geometry(const ReduceIter& it) {
  DG_CHECK(it.out_shape.size() <= size_t(kMaxLoopDims) && it.red_shape.size() <= size_t(kMaxLoopDims), Error,
           "CUDA reduction: too many dimensions");
  ReduceGeometry g{};
  g.out_ndim = static_cast<int>(it.out_shape.size());
  g.red_ndim = static_cast<int>(it.red_shape.size());
  for (int d = 0; d < g.out_ndim; ++d) {
    g.out_shape[d] = it.out_shape[d];
    g.out_in_strides[d] = it.out_in_strides[d];
  }
  for (int d = 0; d < g.red_ndim; ++d) {
    g.red_shape[d] = it.red_shape[d];
    g.red_strides[d] = it.red_strides[d];
  }
  g.out_numel = it.out_numel;
  g.red_numel = it.red_numel;
  g.in = static_cast<const char*>(it.input.data_ptr());
  return g;
}

// Folds element x at position j in: value reducers ignore the position,
// argmax/argmin (reducers::Arg) keep it.
template <class R> struct is_positional : std::false_type {};
template <class T, bool kMax> struct is_positional<reducers::Arg<T, kMax>> : std::true_type {};

template <class R, class T>
__device__ typename R::A fold(typename R::A acc, T x, int64_t j) {
  if constexpr (is_positional<R>::value) return R::merge(acc, {static_cast<typename R::M>(x), j});
  else return R::step(acc, x);
}

// Pass 1: block (x, y) reduces chunk y of output x into partial[x * chunks + y].
template <class R, class T>
__global__ void reduce_kernel(ReduceGeometry g, int64_t chunk, typename R::A* partial) {
  using A = typename R::A;
  const int64_t chunks = gridDim.y;
  for (int64_t o = blockIdx.x; o < g.out_numel; o += gridDim.x) {
    const char* base = g.base(o);
    const int64_t begin = blockIdx.y * chunk, end = begin + chunk < g.red_numel ? begin + chunk : g.red_numel;
    A acc = R::init();
    for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x)
      acc = fold<R>(acc, *reinterpret_cast<const T*>(base + g.offset(j)), j);
    A total = block_reduce(acc, [](A a, A b) { return R::merge(a, b); });
    if (threadIdx.x == 0) partial[o * chunks + blockIdx.y] = total;
  }
}

// Pass 2: out[o] = merge of partial[o * chunks .. + chunks).
template <class A, class R>
__global__ void merge_kernel(int64_t outputs, int64_t chunks, const A* partial, A* out) {
  DG_GRID_STRIDE_LOOP(o, outputs) {
    A acc = partial[o * chunks];
    for (int64_t c = 1; c < chunks; ++c) acc = R::merge(acc, partial[o * chunks + c]);
    out[o] = acc;
  }
}

// Output and chunk counts: enough blocks to fill the GPU, chunks of at least
// 16 elements per thread.
struct Split {
  unsigned out_blocks, chunks;
  int64_t chunk;
};
Split plan(const ReduceIter& it) {
  constexpr int64_t kTargetBlocks = 1024, kMinChunk = int64_t(kReduceThreads) * 16;
  Split s;
  s.out_blocks = static_cast<unsigned>(std::min<int64_t>(it.out_numel, 65535 * 32));
  int64_t chunks = 1;
  if (it.out_numel < kTargetBlocks)
    chunks = std::max<int64_t>(1, std::min<int64_t>(kTargetBlocks / it.out_numel, it.red_numel / kMinChunk));
  chunks = std::min<int64_t>(chunks, 65535);
  s.chunk = (it.red_numel + chunks - 1) / chunks;
  s.chunks = static_cast<unsigned>(chunks);
  return s;
}

// Runs reducer R over the iterator into the dense accumulators (one per
// output; empty slices give R::init()).
template <class R, class T>
void run(ReduceIter& it, typename R::A* result) {
  using A = typename R::A;
  const Split s = plan(it);
  cudaStream_t stream = stream_for(it.input.device().index);
  const ReduceGeometry g = make_geometry(it);
  const size_t smem = sizeof(A) * kReduceThreads;
  if (s.chunks == 1) {
    reduce_kernel<R, T><<<dim3(s.out_blocks, 1), kReduceThreads, smem, stream>>>(g, s.chunk, result);
    check_last_launch("reduce kernel");
    return;
  }
  Tensor partial = empty({it.out_numel * int64_t(s.chunks) * int64_t(sizeof(A))},
                         TensorOptions(kUInt8).device(it.input.device()));
  A* p = reinterpret_cast<A*>(partial.data_ptr());
  reduce_kernel<R, T><<<dim3(s.out_blocks, s.chunks), kReduceThreads, smem, stream>>>(g, s.chunk, p);
  check_last_launch("reduce kernel");
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((it.out_numel + 255) / 256, 65535));
  merge_kernel<A, R><<<blocks, 256, 0, stream>>>(it.out_numel, s.chunks, p, result);
  check_last_launch("reduce merge kernel");
}

// Value reductions: accumulate in R::A, then convert into the output's dtype.
template <template <class> class Reducer, bool kComplex>
void value_reduce(ReduceIter& it) {
  if (it.out_numel == 0) return;
  DeviceGuard guard(it.input.device().index);
  auto body = [&](auto tag) {
    using T = decltype(tag);
    using R = Reducer<T>;
    using A = typename R::A;
    Tensor acc = it.output.dtype() == DtypeOf<A>::value
                     ? it.output
                     : empty(it.output.sizes(), TensorOptions(DtypeOf<A>::value).device(it.input.device()));
    run<R, T>(it, reinterpret_cast<A*>(acc.data_ptr()));
    if (!acc.is_same(it.output)) {  // the accumulators into the output's dtype, with the device's copy kernel
      IterSpec spec;
      spec.out = it.output;
      spec.out_dtype = it.output.dtype();
      spec.op_name = "reduce";
      spec.add_input(acc);
      TensorIter convert = make_iter(spec);
      kernel_table(DeviceType::CUDA).copy(convert);
    }
  };
  if constexpr (kComplex) {
    DG_DISPATCH_ALL(it.input.dtype(), "reduce", [&] { body(scalar_t()); });
  } else {
    DG_DISPATCH_REAL(it.input.dtype(), "reduce", [&] { body(scalar_t()); });
  }
}

// argmax/argmin: (value, position) pairs, then the positions into the int64 output.
template <class A>
__global__ void arg_index_kernel(int64_t n, const A* pairs, int64_t* out) {
  DG_GRID_STRIDE_LOOP(i, n)
    out[i] = pairs[i].index < 0 ? 0 : pairs[i].index;
}

template <bool kMax>
void arg_reduce(ReduceIter& it) {
  if (it.out_numel == 0) return;
  DG_CHECK(it.red_numel > 0, IndexError, kMax ? "argmax" : "argmin",
           "(): Expected reduction dim to be specified for input.numel() == 0.");
  DeviceGuard guard(it.input.device().index);
  DG_DISPATCH_REAL(it.input.dtype(), "argmax", [&] {
    using R = reducers::Arg<scalar_t, kMax>;
    using A = typename R::A;
    Tensor pairs = empty({it.out_numel * int64_t(sizeof(A))}, TensorOptions(kUInt8).device(it.input.device()));
    A* p = reinterpret_cast<A*>(pairs.data_ptr());
    run<R, scalar_t>(it, p);
    const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((it.out_numel + 255) / 256, 65535));
    arg_index_kernel<A><<<blocks, 256, 0, stream_for(it.input.device().index)>>>(
        it.out_numel, p, reinterpret_cast<int64_t*>(it.output.data_ptr()));
    check_last_launch("arg index kernel");
  });
}

}  // namespace

void register_reduce_kernels(KernelTable& t) {
  using namespace reducers;
  t.reduce[static_cast<int>(ReduceOp::sum)] = &value_reduce<Sum, true>;
  t.reduce[static_cast<int>(ReduceOp::nansum)] = &value_reduce<NanSum, false>;
  t.reduce[static_cast<int>(ReduceOp::prod)] = &value_reduce<Prod, true>;
  t.reduce[static_cast<int>(ReduceOp::amax)] = &value_reduce<Max, false>;
  t.reduce[static_cast<int>(ReduceOp::amin)] = &value_reduce<Min, false>;
  t.reduce[static_cast<int>(ReduceOp::all)] = &value_reduce<All, true>;
  t.reduce[static_cast<int>(ReduceOp::any)] = &value_reduce<Any, true>;
  t.reduce[static_cast<int>(ReduceOp::argmax)] = &arg_reduce<true>;
  t.reduce[static_cast<int>(ReduceOp::argmin)] = &arg_reduce<false>;
}

}  // namespace dg::cuda
