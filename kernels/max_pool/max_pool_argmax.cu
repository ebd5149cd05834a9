// max_pool, "argmax" variant. Forward: as naive, and the first maximum's flat
// plane index of each window goes to an int32 argmax tensor kept in the
// cache. Backward: one thread per input element reads the argmax of the few
// windows covering it (coalesced along a row) and sums the gradients of
// those that chose it; no pass re-reads x.
#include "kernels/max_pool/max_pool_common.cuh"

namespace convlab::cuda {

namespace {

// Chosen element of a window, as stored by the forward pass.
struct StoredArgmax {
  const int32_t* argmax;
  __device__ int32_t operator()(int64_t, int64_t, int64_t, int64_t o) const { return argmax[o]; }
};

}  // namespace

Forward<PoolCache> max_pool_forward_argmax(const Tensor& x, const PoolParam& param) {
  return max_pool_forward_run(x, param, true);
}

Tensor max_pool_backward_argmax(const Tensor& dout, const PoolCache& cache) {
  // A cache made by a variant that keeps no argmax: fall back to recomputing it.
  if (!cache.argmax.defined()) return max_pool_backward_naive(dout, cache);
  const PoolDims d = max_pool_check_backward(dout, cache, Device::cuda);
  expect_same("max_pool_backward", Device::cuda, DType::i32, {{"cache.argmax", &cache.argmax}});
  cache.argmax.expect_shape("max_pool_backward: cache.argmax", {d.N, d.C, d.Hout, d.Wout});
  const int32_t* argmax = cache.argmax.data<int32_t>();
  return max_pool_backward_run(dout, cache, d, [&](auto) { return StoredArgmax{argmax}; });
}

}  // namespace convlab::cuda
