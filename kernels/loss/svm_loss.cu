// svm_loss, "naive" (thread per row) and "warp" (warp per row) variants:
// one pass over the row for the margins, their count and the gradient, the
// two totals reduced over the row's lanes (see loss_common.cuh).
#include "host/ops/loss/loss.h"
#include "kernels/loss/loss_common.cuh"

namespace convlab::cuda {

namespace {

struct SvmRow {
  // Margins in double, as the CPU reference computes them, so that a margin
  // at the hinge takes the same side in float32 on both.
  template <int W, class T>
  static __device__ void run(const T* __restrict__ xr, int32_t label, int64_t C, const LossRowParam& p, int lane,
                             T* row_loss, T* __restrict__ dr) {
    const double correct = static_cast<double>(xr[label]);
    const double n = p.mean ? static_cast<double>(p.N) : 1.0;  // dx's divisor: N for the mean, 1 for the sum
    const T inv_n = T(1.0 / n);
    double loss = 0;
    int64_t positive = 0;
    for (int64_t j = lane; j < C; j += W) {
      if (j == label) continue;
      const double margin = static_cast<double>(xr[j]) - correct + 1.0;
      const bool active = margin > 0.0;
      loss += active ? margin : 0.0;
      positive += active ? 1 : 0;
      dr[j] = active ? inv_n : T(0);
    }
    loss = team_sum<W>(loss);
    positive = team_sum<W>(positive);
    if (lane == 0) {
      *row_loss = static_cast<T>(loss);
      dr[label] = static_cast<T>(-static_cast<double>(positive) / n);
    }
  }
};

}  // namespace

LossOut svm_loss_naive(const Tensor& x, const Tensor& y, const SvmLossParam& p) {
  return run_loss<1, SvmRow>("svm_loss", x, y, p.reduction);
}
LossOut svm_loss_warp(const Tensor& x, const Tensor& y, const SvmLossParam& p) {
  return run_loss<32, SvmRow>("svm_loss", x, y, p.reduction);
}

}  // namespace convlab::cuda
