// Fused L2 weight penalty: dw += reg * w and loss += 0.5 * reg * sum(w^2).
//
// Parallel decomposition: a 1-D grid-stride loop over the elements of w; each
// thread updates its dw elements and keeps a partial sum of squares, the block
// reduces the partial sums in shared memory and thread 0 adds the block's sum
// into the scalar loss with one atomicAdd. Memory access: w and dw are read
// and dw written once, coalesced.
#include "kernels/runtime/launch.cuh"
#include "kernels/solver/l2_penalty.h"

namespace convlab::kernels {

namespace {

constexpr int kThreads = 256;

template <class T>
__global__ void l2_penalty_kernel(const T* __restrict__ w, T* __restrict__ dw, T* __restrict__ loss, int64_t n, T reg) {
  __shared__ T partial[kThreads];
  T sum = 0;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const T v = w[i];
    dw[i] += reg * v;
    sum += v * v;
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(loss, T(0.5) * reg * partial[0]);
}

}  // namespace

void l2_penalty_cuda(Tensor& loss, const Tensor& w, Tensor& dw, double reg) {
  const int64_t n = w.numel();
  if (n == 0) return;
  const int blocks = static_cast<int>(std::min<int64_t>((n + kThreads - 1) / kThreads, 1024));
  dispatch_floating(w.dtype(), "l2_penalty", [&](auto zero) {
    using T = decltype(zero);
    cuda::launch("l2_penalty_kernel", l2_penalty_kernel<T>, blocks, kThreads, 0, w.data<T>(), dw.data<T>(),
                 loss.data<T>(), n, static_cast<T>(reg));
  });
}

}  // namespace convlab::kernels
