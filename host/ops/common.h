// Types shared by several ops: train/test mode and the gradient triple.
#pragma once
#include <string>

#include "host/ops/registry.h"
#include "host/tensor.h"

namespace convlab {

enum class Mode { train, test };

// Gradients of a layer with an input and two parameters (w/b or gamma/beta).
struct Grads3 {
  Tensor dx, d1, d2;  // dx; dw or dgamma; db or dbeta
};

}  // namespace convlab
