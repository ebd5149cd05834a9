// Sandwich layers (cs231n's layer_utils), built from the dispatched ops so
// they run on the device of their inputs with each op's default variant.
#include "host/ops/sandwich/sandwich.h"

namespace convlab {

Forward<AffineReluCache> affine_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  auto fc = affine_forward(x, w, b);
  auto relu = relu_forward(fc.out);
  return {relu.out, AffineReluCache{fc.cache, relu.cache}};
}

Grads affine_relu_backward(const Tensor& dout, const AffineReluCache& cache) {
  return affine_backward(relu_backward(dout, cache.relu), cache.fc);
}

Normalization parse_normalization(const std::string& s) {
  if (s == "none") return Normalization::none;
  if (s == "batchnorm") return Normalization::batchnorm;
  if (s == "layernorm") return Normalization::layernorm;
  throw Error("normalization: unknown kind '" + s + "' (expected none, batchnorm or layernorm)");
}

// With kind none the norm step is skipped (gamma and beta are not used and
// dgamma/dbeta come back empty), so a net can call this for every hidden layer.
Forward<AffineNormReluCache> affine_norm_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                      const Tensor& gamma, const Tensor& beta, Normalization kind,
                                                      BatchNormParam& bn_param) {
  AffineNormReluCache cache;
  cache.kind = kind;
  auto fc = affine_forward(x, w, b);
  cache.fc = fc.cache;
  Tensor h = fc.out;
  if (kind == Normalization::batchnorm) {
    auto bn = batchnorm_forward(h, gamma, beta, bn_param);
    cache.norm = bn.cache;
    h = bn.out;
  } else if (kind == Normalization::layernorm) {
    // As cs231n, layernorm takes its eps from the same parameter dict.
    LayerNormParam ln_param;
    ln_param.eps = bn_param.eps;
    auto ln = layernorm_forward(h, gamma, beta, ln_param);
    cache.norm = ln.cache;
    h = ln.out;
  }
  auto relu = relu_forward(h);
  cache.relu = relu.cache;
  return {relu.out, cache};
}

AffineNormReluGrads affine_norm_relu_backward(const Tensor& dout, const AffineNormReluCache& cache) {
  AffineNormReluGrads g;
  Tensor dh = relu_backward(dout, cache.relu);
  if (cache.kind == Normalization::batchnorm) {
    NormGrads n = batchnorm_backward(dh, cache.norm);
    dh = n.dx, g.dgamma = n.dgamma, g.dbeta = n.dbeta;
  } else if (cache.kind == Normalization::layernorm) {
    NormGrads n = layernorm_backward(dh, cache.norm);
    dh = n.dx, g.dgamma = n.dgamma, g.dbeta = n.dbeta;
  }
  Grads fc = affine_backward(dh, cache.fc);
  g.dx = fc.dx, g.dw = fc.dw, g.db = fc.db;
  return g;
}

Forward<ConvReluCache> conv_relu_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  auto conv = conv_forward(x, w, b, param);
  auto relu = relu_forward(conv.out);
  return {relu.out, ConvReluCache{conv.cache, relu.cache}};
}

Grads conv_relu_backward(const Tensor& dout, const ConvReluCache& cache) {
  return conv_backward(relu_backward(dout, cache.relu), cache.conv);
}

}  // namespace convlab
