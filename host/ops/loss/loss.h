// Classification losses on scores x (N, C) and int32 labels y (N,), 0 <= y < C:
// softmax_loss (mean cross-entropy) and svm_loss (mean multiclass hinge, margin 1).
// The loss is a scalar tensor on the device of x, so training need not copy it
// to the host every step; dx has the shape of x.
#pragma once
#include "host/ops/common.h"

namespace convlab {

struct LossOut {
  Tensor loss;  // shape (), dtype of x
  Tensor dx;
  double value() const { return loss.to(Device::cpu).item(); }
};

struct SoftmaxLossImpl {
  static constexpr const char* name = "softmax_loss";
  LossOut (*fn)(const Tensor& x, const Tensor& y);
};
struct SvmLossImpl {
  static constexpr const char* name = "svm_loss";
  LossOut (*fn)(const Tensor& x, const Tensor& y);
};

inline LossOut softmax_loss(const Tensor& x, const Tensor& y, const std::string& variant = "") {
  return OpRegistry<SoftmaxLossImpl>::get(x.device(), variant).fn(x, y);
}
inline LossOut svm_loss(const Tensor& x, const Tensor& y, const std::string& variant = "") {
  return OpRegistry<SvmLossImpl>::get(x.device(), variant).fn(x, y);
}

// Validates x (N, C) float and y (N,) int32 on the same device; returns {N, C}.
struct LossDims {
  int64_t N, C;
};
LossDims loss_dims(const char* op, const Tensor& x, const Tensor& y);

namespace ref {
LossOut softmax_loss(const Tensor& x, const Tensor& y);
LossOut svm_loss(const Tensor& x, const Tensor& y);
}  // namespace ref

}  // namespace convlab
