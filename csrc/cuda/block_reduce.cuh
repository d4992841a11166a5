// Combining one value per thread across a block, through shared memory (the
// caller launches with sizeof(A) * blockDim.x bytes of dynamic shared memory;
// blockDim.x a power of two). Every thread gets the result.
#pragma once

namespace dg::cuda {

template <class A, class Merge>
__device__ A block_reduce(A v, const Merge& merge) {
  extern __shared__ __align__(16) unsigned char block_reduce_smem[];
  A* buf = reinterpret_cast<A*>(block_reduce_smem);
  buf[threadIdx.x] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) buf[threadIdx.x] = merge(buf[threadIdx.x], buf[threadIdx.x + s]);
    __syncthreads();
  }
  A result = buf[0];
  __syncthreads();  // the buffer may be reused right after
  return result;
}

}  // namespace dg::cuda
