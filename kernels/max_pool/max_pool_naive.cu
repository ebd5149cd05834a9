// max_pool, "naive" variant. Forward: one thread per output element scans
// its window (no argmax kept). Backward: one thread per input element visits
// every window that covers it, recomputes that window's first maximum from x
// and takes the window's gradient when it is this element.
#include "kernels/max_pool/max_pool_common.cuh"

namespace convlab::cuda {

namespace {

// Chosen element of a window, recomputed from the input.
template <class T>
struct RecomputedArgmax {
  const T* x;
  PoolDims d;
  __device__ int32_t operator()(int64_t nc, int64_t i, int64_t j, int64_t) const {
    T m;
    return window_argmax(x + nc * d.H * d.W, d, i, j, &m);
  }
};

}  // namespace

Forward<PoolCache> max_pool_forward_naive(const Tensor& x, const PoolParam& param) {
  return max_pool_forward_run(x, param, false);
}

Tensor max_pool_backward_naive(const Tensor& dout, const PoolCache& cache) {
  const PoolDims d = max_pool_check_backward(dout, cache, Device::cuda);
  return max_pool_backward_run(dout, cache, d, [&](auto zero) {
    using T = decltype(zero);
    return RecomputedArgmax<T>{cache.x.data<T>(), d};
  });
}

}  // namespace convlab::cuda
