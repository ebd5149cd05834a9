// conv_relu_pool: conv - relu - max_pool as one op (cs231n's
// conv_relu_pool_forward/backward sandwich, the first block of
// ThreeLayerConvNet).
//
// Variants (host/ops/conv_relu_pool/conv_relu_pool_register.cpp; * = the device's default):
//   cpu/reference   host/ops/conv_relu_pool/conv_relu_pool_composed.cpp  the chain of the three reference
//                                                                        ops (the ground truth)
//   cpu/threaded *  host/ops/conv_relu_pool/conv_relu_pool_threaded.cpp  fused, one image per task: the image's
//                   conv output stays in the thread's cache, relu and pooling are applied there, and only the
//                   pooled output and its argmax reach memory. The backward rebuilds the image's conv gradient
//                   from dout, the argmax and the sign of the pooled output (relu passes the gradient exactly
//                   where the window's maximum is positive) and feeds it to dw, db and dx.
//   cuda/composed   host/ops/conv_relu_pool/conv_relu_pool_composed.cpp  the chain of the default CUDA ops
//   cuda/fused *    kernels/conv_relu_pool/conv_relu_pool_fused.cu       the default conv, then relu and pooling
//                   in one pass (pooled output and argmax only); backward rebuilds the conv gradient in one
//                   gather pass from dout, the argmax and the pooled sign. The same floats as composed.
#pragma once
#include "host/ops/conv/conv.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/relu/relu.h"

namespace convlab {

inline constexpr const char* kConvReluPoolDefaultCpu = "threaded";
inline constexpr const char* kConvReluPoolDefaultCuda = "fused";

struct ConvReluPoolCache {
  ConvCache conv;
  ReluCache relu;  // composed variants: the conv output
  PoolCache pool;  // composed variants: relu output and argmax; fused: param and argmax only
  Tensor pooled;   // fused variants: the block's output
};

struct ConvReluPoolImpl {
  static constexpr const char* name = "conv_relu_pool";
  static constexpr const char* header = "host/ops/conv_relu_pool/conv_relu_pool.h";
  Forward<ConvReluPoolCache> (*forward)(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& conv_param,
                                        const PoolParam& pool_param);
  // dx (left undefined unless need_dx), dw, db.
  Grads (*backward)(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);
};

inline Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                         const ConvParam& conv_param, const PoolParam& pool_param,
                                                         const std::string& variant = "") {
  return OpRegistry<ConvReluPoolImpl>::get(x.device(), variant).forward(x, w, b, conv_param, pool_param);
}
inline Grads conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache,
                                     const std::string& variant = "") {
  return OpRegistry<ConvReluPoolImpl>::get(dout.device(), variant).backward(dout, cache, true);
}
// dw and db only (g.dx stays undefined): for a network's first layer.
inline Grads conv_relu_pool_backward_params(const Tensor& dout, const ConvReluPoolCache& cache,
                                            const std::string& variant = "") {
  return OpRegistry<ConvReluPoolImpl>::get(dout.device(), variant).backward(dout, cache, false);
}

// The chain of the three ops, each with variant `op_variant` ("" for the
// device's default): what the reference and composed variants run.
Forward<ConvReluPoolCache> conv_relu_pool_forward_chain(const Tensor& x, const Tensor& w, const Tensor& b,
                                                        const ConvParam& conv_param, const PoolParam& pool_param,
                                                        const std::string& op_variant);
Grads conv_relu_pool_backward_chain(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx,
                                    const std::string& op_variant);

// The chain with the default ops of the device (cuda/composed).
Forward<ConvReluPoolCache> conv_relu_pool_forward_composed(const Tensor& x, const Tensor& w, const Tensor& b,
                                                           const ConvParam& conv_param, const PoolParam& pool_param);
Grads conv_relu_pool_backward_composed(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);

namespace ref {
// The chain of the reference ops (cpu/reference).
Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                  const ConvParam& conv_param, const PoolParam& pool_param);
Grads conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);
}  // namespace ref

// The checks of a fused variant's backward on `device` (`what` names the
// variant in messages): the cache holds the pooled output and argmax its
// forward kept, on the device, and dout has their shape. Returns the conv's
// dims (conv_relu_pool_check.cpp).
ConvDims conv_relu_pool_check_fused_backward(const Tensor& dout, const ConvReluPoolCache& cache, Device device,
                                             const char* what);

namespace cuda {
Forward<ConvReluPoolCache> conv_relu_pool_forward_fused(const Tensor& x, const Tensor& w, const Tensor& b,
                                                        const ConvParam& conv_param, const PoolParam& pool_param);
Grads conv_relu_pool_backward_fused(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);
}  // namespace cuda

namespace threaded {
Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                  const ConvParam& conv_param, const PoolParam& pool_param);
Grads conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);
}  // namespace threaded

}  // namespace convlab
