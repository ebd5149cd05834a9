// Sandwich layers: common chains of ops with one forward/backward each
// (cs231n's layer_utils). They call the dispatched ops, so they run on the
// device of their inputs with each op's default variant. conv_relu_pool is
// an op of its own with a fused CPU variant: host/ops/conv_relu_pool/conv_relu_pool.h.
#pragma once
#include "host/ops/affine/affine.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/relu/relu.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"

namespace convlab {

struct AffineReluCache {
  AffineCache fc;
  ReluCache relu;
};
Forward<AffineReluCache> affine_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b);
Grads affine_relu_backward(const Tensor& dout, const AffineReluCache& cache);

enum class Normalization { none, batchnorm, layernorm };
Normalization parse_normalization(const std::string& s);  // "none"/"batchnorm"/"layernorm"

// affine - norm (batchnorm or layernorm) - relu
struct AffineNormReluCache {
  AffineCache fc;
  NormCache norm;
  ReluCache relu;
  Normalization kind = Normalization::batchnorm;
};
struct AffineNormReluGrads {
  Tensor dx, dw, db, dgamma, dbeta;
};
Forward<AffineNormReluCache> affine_norm_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                      const Tensor& gamma, const Tensor& beta, Normalization kind,
                                                      BatchNormParam& bn_param);
AffineNormReluGrads affine_norm_relu_backward(const Tensor& dout, const AffineNormReluCache& cache);

struct ConvReluCache {
  ConvCache conv;
  ReluCache relu;
};
Forward<ConvReluCache> conv_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_relu_backward(const Tensor& dout, const ConvReluCache& cache);

}  // namespace convlab
