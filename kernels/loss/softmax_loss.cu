// softmax_loss, "naive" (thread per row) and "warp" (warp per row) variants:
// three passes over the row (max, sum of exponentials, gradient), the max
// and the sum reduced over the row's lanes (see loss_common.cuh).
#include "host/ops/loss/loss.h"
#include "kernels/loss/loss_common.cuh"

namespace convlab::cuda {

namespace {

struct SoftmaxRow {
  template <int W, class T>
  static __device__ void run(const T* __restrict__ xr, int32_t label, int64_t C, int64_t N, int lane, T* row_loss,
                             T* __restrict__ dr) {
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t j = lane; j < C; j += W) mx = xr[j] > mx ? xr[j] : mx;
    mx = team_max<W>(mx);
    T sum = 0;
    for (int64_t j = lane; j < C; j += W) sum += exp(xr[j] - mx);
    sum = team_sum<W>(sum);
    if (lane == 0) *row_loss = log(sum) - (xr[label] - mx);
    const T inv_n = T(1) / static_cast<T>(N);
    for (int64_t j = lane; j < C; j += W) dr[j] = (exp(xr[j] - mx) / sum - (j == label ? T(1) : T(0))) * inv_n;
  }
};

}  // namespace

LossOut softmax_loss_naive(const Tensor& x, const Tensor& y) { return run_loss<1, SoftmaxRow>("softmax_loss", x, y); }
LossOut softmax_loss_warp(const Tensor& x, const Tensor& y) { return run_loss<32, SoftmaxRow>("softmax_loss", x, y); }

}  // namespace convlab::cuda
