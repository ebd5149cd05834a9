// softmax_loss, "naive" (thread per row) and "warp" (warp per row) variants:
// three passes over the row (max, sum of exponentials, gradient), the max
// and the sum reduced over the row's lanes (see loss_common.cuh). With label
// smoothing, the second pass also sums x - max over the row (for
// mean_c(-log p_c) = log z - sum_c(x_c - max) / C).
#include "host/ops/loss/loss.h"
#include "kernels/loss/loss_common.cuh"

namespace convlab::cuda {

namespace {

struct SoftmaxRow {
  template <int W, class T>
  static __device__ void run(const T* __restrict__ xr, int32_t label, int64_t C, const LossRowParam& p, int lane,
                             T* row_loss, T* __restrict__ dr) {
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t j = lane; j < C; j += W) mx = xr[j] > mx ? xr[j] : mx;
    mx = team_max<W>(mx);
    // The label smoothing is the same for every lane: the warp takes one branch.
    const bool smooth = p.label_smoothing != 0.0;
    T sum = 0, shifted = 0;
    for (int64_t j = lane; j < C; j += W) {
      sum += exp(xr[j] - mx);
      if (smooth) shifted += xr[j] - mx;
    }
    sum = team_sum<W>(sum);
    if (smooth) shifted = team_sum<W>(shifted);
    const T eps = static_cast<T>(p.label_smoothing);
    const T on = T(1) - eps, off = eps / static_cast<T>(C);  // the target distribution (see loss.h)
    if (lane == 0) {
      const T ce = log(sum) - (xr[label] - mx);
      *row_loss = smooth ? on * ce + eps * (log(sum) - shifted / static_cast<T>(C)) : ce;
    }
    const T inv_n = p.mean ? T(1) / static_cast<T>(p.N) : T(1);
    for (int64_t j = lane; j < C; j += W) dr[j] = (exp(xr[j] - mx) / sum - (j == label ? on + off : off)) * inv_n;
  }
};

}  // namespace

template <int W>
LossOut softmax_loss_impl(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p) {
  check_softmax_loss_param(p);
  return run_loss<W, SoftmaxRow>("softmax_loss", x, y, p.reduction, p.label_smoothing);
}

LossOut softmax_loss_naive(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p) {
  return softmax_loss_impl<1>(x, y, p);
}
LossOut softmax_loss_warp(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p) {
  return softmax_loss_impl<32>(x, y, p);
}

}  // namespace convlab::cuda
