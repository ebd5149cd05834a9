// gelu, "naive" variant: grid-stride loop (launch_n), one element per thread
// per step, consecutive threads on consecutive elements (coalesced loads and
// stores); erf/exp in the tensor's dtype.
#include <type_traits>

#include "kernels/gelu/gelu_kernels.cuh"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

template <class T>
__global__ void gelu_forward_naive_kernel(const T* __restrict__ x, int64_t n, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) out[i] = gelu_value(x[i]);
}

template <class T>
__global__ void gelu_backward_naive_kernel(const T* __restrict__ x, const T* __restrict__ dout, int64_t n,
                                           T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) dx[i] = gelu_grad(x[i], dout[i]);
}

Forward<GeluCache> gelu_forward_naive(const Tensor& x) {
  return gelu_forward_cuda(x, [](const auto* px, int64_t n, auto* po) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(px)>>;
    launch_n("gelu_forward_naive_kernel", n, gelu_forward_naive_kernel<T>, px, n, po);
  });
}

Tensor gelu_backward_naive(const Tensor& dout, const GeluCache& cache) {
  return gelu_backward_cuda(dout, cache, [](const auto* px, const auto* pd, int64_t n, auto* pdx) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(px)>>;
    launch_n("gelu_backward_naive_kernel", n, gelu_backward_naive_kernel<T>, px, pd, n, pdx);
  });
}

}  // namespace convlab::cuda
