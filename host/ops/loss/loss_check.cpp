// Shape validation of softmax_loss and svm_loss, shared by every variant.
#include "host/ops/loss/loss.h"

namespace convlab {

LossDims loss_dims(const char* op, const Tensor& x, const Tensor& y) {
  CONVLAB_CHECK(x.defined(), op << ": x is empty");
  x.expect_float((std::string(op) + ": x").c_str());
  CONVLAB_CHECK(x.ndim() == 2, op << ": x must have shape (N, C) (scores), got " << shape_str(x.shape()));
  CONVLAB_CHECK(y.defined(), op << ": y is empty");
  CONVLAB_CHECK(y.dtype() == DType::i32, op << ": y must hold int32 labels, got " << dtype_name(y.dtype()));
  CONVLAB_CHECK(y.device() == x.device(),
                op << ": y is on " << device_name(y.device()) << " but x is on " << device_name(x.device()));
  const int64_t N = x.dim(0), C = x.dim(1);
  CONVLAB_CHECK(N > 0 && C > 0, op << ": x must be non-empty, got " << shape_str(x.shape()));
  CONVLAB_CHECK(y.ndim() == 1 && y.dim(0) == N, op << ": y must have shape (" << N << ",) (one label per row of x "
                                                   << shape_str(x.shape()) << "), got " << shape_str(y.shape()));
  return {N, C};
}

void check_softmax_loss_param(const SoftmaxLossParam& p) {
  CONVLAB_CHECK(p.label_smoothing >= 0.0 && p.label_smoothing < 1.0,
                "softmax_loss: label_smoothing must be in [0, 1), got " << p.label_smoothing);
}

const char* loss_reduction_name(LossReduction r) { return r == LossReduction::mean ? "mean" : "sum"; }

}  // namespace convlab
