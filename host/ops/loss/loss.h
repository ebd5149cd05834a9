// Classification losses on scores x (N, C) and int32 labels y (N,), 0 <= y < C:
// softmax_loss (cross-entropy) and svm_loss (multiclass hinge, margin 1),
// averaged over the rows (reduction mean, the default) or summed (sum).
// softmax_loss with label smoothing eps (SoftmaxLossParam; PyTorch's
// definition: the target distribution is (1 - eps) onehot(y) + eps / C):
//   row loss = (1 - eps) (-log p_y) + eps mean_c(-log p_c),  p = softmax(x row)
//   dx[c]    = (p_c - (1 - eps) [c == y] - eps / C) / N  (mean; without / N for sum)
// The default parameters give cs231n's losses, to the bit.
// The loss is a scalar tensor on the device of x, so training need not copy it
// to the host every step; dx has the shape of x.
//
// Variants (host/ops/loss/loss_register.cpp; * = the device's default):
//   softmax_loss cpu/reference   host/ops/loss/softmax_loss_reference.cpp  row by row, in double
//   softmax_loss cpu/threaded *  host/ops/loss/softmax_loss_threaded.cpp   rows over threads
//   softmax_loss cuda/naive      kernels/loss/softmax_loss.cu              one thread per row
//   softmax_loss cuda/warp *     kernels/loss/softmax_loss.cu              one warp per row, shuffles
//   svm_loss     cpu/reference * host/ops/loss/svm_loss_reference.cpp
//   svm_loss     cuda/naive      kernels/loss/svm_loss.cu                  one thread per row
//   svm_loss     cuda/warp *     kernels/loss/svm_loss.cu                  one warp per row, shuffles
// The two CUDA variants of each loss are one kernel template (kernels/loss/loss_common.cuh).
// Validation: loss_dims (host/ops/loss/loss_check.cpp) and check_labels.h.
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kSoftmaxLossDefaultCpu = "threaded";
inline constexpr const char* kSoftmaxLossDefaultCuda = "warp";
inline constexpr const char* kSvmLossDefaultCpu = "reference";
inline constexpr const char* kSvmLossDefaultCuda = "warp";

enum class LossReduction { mean, sum };
const char* loss_reduction_name(LossReduction r);

struct SoftmaxLossParam {
  double label_smoothing = 0.0;  // eps in [0, 1)
  LossReduction reduction = LossReduction::mean;
};
struct SvmLossParam {
  LossReduction reduction = LossReduction::mean;
};

struct LossOut {
  Tensor loss;  // shape (), dtype of x
  Tensor dx;
  double value() const { return loss.to(Device::cpu).item(); }
};

struct SoftmaxLossImpl {
  static constexpr const char* name = "softmax_loss";
  static constexpr const char* header = "host/ops/loss/loss.h";
  LossOut (*fn)(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p);
};
struct SvmLossImpl {
  static constexpr const char* name = "svm_loss";
  static constexpr const char* header = "host/ops/loss/loss.h";
  LossOut (*fn)(const Tensor& x, const Tensor& y, const SvmLossParam& p);
};

inline LossOut softmax_loss(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p,
                            const std::string& variant = "") {
  return OpRegistry<SoftmaxLossImpl>::get(x.device(), variant).fn(x, y, p);
}
inline LossOut softmax_loss(const Tensor& x, const Tensor& y, const std::string& variant = "") {
  return softmax_loss(x, y, SoftmaxLossParam{}, variant);
}
inline LossOut svm_loss(const Tensor& x, const Tensor& y, const SvmLossParam& p, const std::string& variant = "") {
  return OpRegistry<SvmLossImpl>::get(x.device(), variant).fn(x, y, p);
}
inline LossOut svm_loss(const Tensor& x, const Tensor& y, const std::string& variant = "") {
  return svm_loss(x, y, SvmLossParam{}, variant);
}

// Validates x (N, C) float and y (N,) int32 on the same device; returns {N, C}.
struct LossDims {
  int64_t N, C;
};
LossDims loss_dims(const char* op, const Tensor& x, const Tensor& y);
// Throws unless label_smoothing is in [0, 1).
void check_softmax_loss_param(const SoftmaxLossParam& p);

namespace ref {
LossOut softmax_loss(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p);
LossOut svm_loss(const Tensor& x, const Tensor& y, const SvmLossParam& p);
}  // namespace ref

namespace threaded {
LossOut softmax_loss(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p);
}  // namespace threaded

// CUDA variants (kernels/loss/): each row's loss goes to a scratch vector that
// one block then averages (or sums) into the scalar loss tensor on the device (no host
// copy). A label outside [0, C) cannot be reported without a host copy: its
// row's loss and dx are NaN.
namespace cuda {
LossOut softmax_loss_naive(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p);  // softmax_loss.cu
LossOut softmax_loss_warp(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p);
LossOut svm_loss_naive(const Tensor& x, const Tensor& y, const SvmLossParam& p);  // svm_loss.cu
LossOut svm_loss_warp(const Tensor& x, const Tensor& y, const SvmLossParam& p);
}  // namespace cuda

}  // namespace convlab
