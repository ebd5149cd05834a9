// conv_relu_pool, "fused" variant: the conv of the device's default variant
// (a run's precision applies to it), then relu and max pooling in one pass
// over the conv output: each thread scans its window once and writes the
// pooled value, relu'd, and the window's argmax (max_pool_forward_kernel with
// kRelu). No relu output is stored, and the conv output is not kept.
// Backward: one gather pass builds the conv gradient from dout, the argmax
// and the sign of the pooled value (relu passes the gradient exactly where
// the window's maximum is positive), then the default conv backward. Against
// "composed" (conv, relu, pool and their backwards), two full passes over the
// conv output's size are gone each way, and the results are the same floats.
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "kernels/max_pool/max_pool_common.cuh"

namespace convlab::cuda {

namespace {

// The window's argmax where its pooled value is positive, else none (-1).
template <class T>
struct PositiveArgmax {
  const int32_t* argmax;
  const T* pooled;
  __device__ int32_t operator()(int64_t, int64_t, int64_t, int64_t o) const {
    return pooled[o] > T(0) ? argmax[o] : -1;
  }
};

}  // namespace

Forward<ConvReluPoolCache> conv_relu_pool_forward_fused(const Tensor& x, const Tensor& w, const Tensor& b,
                                                        const ConvParam& conv_param, const PoolParam& pool_param) {
  auto conv = conv_forward(x, w, b, conv_param);
  const PoolDims d = max_pool_check_forward(conv.out, pool_param, Device::cuda);
  Tensor pooled({d.N, d.C, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  Tensor argmax({d.N, d.C, d.Hout, d.Wout}, DType::i32, Device::cuda);
  dispatch_floating(x.dtype(), "conv_relu_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    launch_n("max_pool_forward_kernel (relu)", d.N * d.C * d.Hout * d.Wout, max_pool_forward_kernel<T, true>,
             conv.out.data<T>(), d, pooled.data<T>(), argmax.data<int32_t>());
  });
  ConvReluPoolCache cache;
  cache.conv = conv.cache;
  cache.pool = PoolCache{Tensor(), pool_param, argmax};
  cache.pooled = pooled;
  return {pooled, cache};
}

Grads conv_relu_pool_backward_fused(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx) {
  const ConvDims cd = conv_relu_pool_check_fused_backward(dout, cache, Device::cuda, "cuda fused");
  const PoolDims d = pool_dims(Shape{cd.N, cd.F, cd.Hout, cd.Wout}, cache.pool.param);
  Tensor dconv({cd.N, cd.F, cd.Hout, cd.Wout}, dout.dtype(), Device::cuda);
  dispatch_floating(dout.dtype(), "conv_relu_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    const PositiveArgmax<T> chosen{cache.pool.argmax.data<int32_t>(), cache.pooled.data<T>()};
    launch_n("max_pool_backward_kernel (relu)", d.N * d.C * d.H * d.W, max_pool_backward_kernel<T, PositiveArgmax<T>>,
             dout.data<T>(), d, chosen, dconv.data<T>());
  });
  return need_dx ? conv_backward(dconv, cache.conv) : conv_backward_params(dconv, cache.conv);
}

}  // namespace convlab::cuda
