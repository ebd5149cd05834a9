// Types shared by several ops: train/test mode and the named gradients.
#pragma once
#include <string>

#include "host/ops/registry.h"
#include "host/tensor.h"

namespace convlab {

enum class Mode { train, test };

// Gradients of an op with weights and a bias: conv, affine, conv_relu_pool
// (dx left undefined when the caller asked for the parameters only).
struct Grads {
  Tensor dx, dw, db;
};

// Gradients of a normalisation: batchnorm, spatial_batchnorm, layernorm,
// spatial_groupnorm.
struct NormGrads {
  Tensor dx, dgamma, dbeta;
};

}  // namespace convlab
