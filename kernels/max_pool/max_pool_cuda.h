// CUDA variants of max_pool (see host/ops/max_pool/max_pool.h): "naive" (no argmax,
// backward recomputes each window's maximum) and "fast" (forward stores the
// argmax in PoolCache::argmax; backward gathers through it).
#pragma once
#include "host/ops/max_pool/max_pool.h"

namespace convlab::cuda {

Forward<PoolCache> max_pool_forward_naive(const Tensor& x, const PoolParam& param);
Tensor max_pool_backward_naive(const Tensor& dout, const PoolCache& cache);
Forward<PoolCache> max_pool_forward_argmax(const Tensor& x, const PoolParam& param);
Tensor max_pool_backward_argmax(const Tensor& dout, const PoolCache& cache);

PoolDims max_pool_check_forward(const Tensor& x, const PoolParam& param);
PoolDims max_pool_check_backward(const Tensor& dout, const PoolCache& cache);

}  // namespace convlab::cuda
