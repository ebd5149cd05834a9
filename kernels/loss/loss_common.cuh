// Shared by the CUDA loss variants (softmax_loss, svm_loss): one kernel
// template serves both row mappings. W lanes work on a row together: W = 1
// ("naive": one thread per row, serial passes; threads of a warp read rows C
// apart, fine for classifier-sized C) or W = 32 ("warp": the lanes stride
// over the row, coalesced, and warp shuffles reduce). A loss is a Row
// functor with
//   template <int W, class T> static __device__ void run(const T* xr, int32_t label, int64_t C,
//                                                        const LossRowParam& p, int lane, T* row_loss, T* dr);
// that writes *row_loss (lane 0) and the row's dx. Each row's loss goes to a
// scratch vector that one block then averages (reduction mean) or sums
// (reduction sum) into the scalar loss tensor on the device (no host copy).
#pragma once
#include <limits>
#include <string>

#include "host/ops/loss/loss.h"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reduce.cuh"
#include "kernels/runtime/reductions.h"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

// What every row needs besides its data: the batch size, the reduction and
// (softmax_loss) the label smoothing. The same for every lane of a warp.
struct LossRowParam {
  int64_t N;
  bool mean;  // reduction mean (dx / N) or sum
  double label_smoothing;
};

// Sum and max over a row's W lanes, complete in every lane (nothing to do for W = 1).
template <int W, class T>
__device__ __forceinline__ T team_sum(T v) {
  static_assert(W == 1 || W == 32, "a row is worked on by one thread or one warp");
  if constexpr (W == 1)
    return v;
  else
    return warp_allsum(v);
}

template <int W, class T>
__device__ __forceinline__ T team_max(T v) {
  static_assert(W == 1 || W == 32, "a row is worked on by one thread or one warp");
  if constexpr (W == 1)
    return v;
  else
    return warp_max(v);
}

// Grid-stride loop over rows, W lanes per row. With W = 32 and a block size
// that is a multiple of 32, every lane of a warp sees the same rows and the
// same label, so the warp's shuffles always run with all 32 lanes. A label
// outside [0, C) cannot be reported without a host copy: that row's loss
// and dx become NaN instead.
template <class T, int W, class Row>
__global__ void loss_rows_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t C, LossRowParam p,
                                 T* __restrict__ row_loss, T* __restrict__ dx) {
  const int64_t N = p.N;
  const int lane = static_cast<int>(threadIdx.x % W);
  const int64_t first = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / W;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x / W;
  for (int64_t row = first; row < N; row += step) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];
    if (label < 0 || label >= C) {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      if (lane == 0) row_loss[row] = nan;
      for (int64_t j = lane; j < C; j += W) dr[j] = nan;
      continue;
    }
    Row::template run<W>(xr, label, C, p, lane, row_loss + row, dr);
  }
}

// Checks the inputs, allocates the outputs, runs loss_rows_kernel with W
// lanes per row into a scratch vector of row losses, then averages (or
// sums) them into the scalar loss on the device.
template <int W, class Row>
LossOut run_loss(const char* op, const Tensor& x, const Tensor& y, LossReduction reduction,
                 double label_smoothing = 0.0) {
  x.expect_float((std::string(op) + ": x").c_str());
  expect_same(op, Device::cuda, x.dtype(), {{"x", &x}});
  expect_same(op, Device::cuda, DType::i32, {{"y", &y}});
  const LossDims d = loss_dims(op, x, y);
  const LossRowParam p{d.N, reduction == LossReduction::mean, label_smoothing};
  LossOut r{Tensor({}, x.dtype(), Device::cuda), Tensor(x.shape(), x.dtype(), Device::cuda)};
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    T* row_loss = workspace_as<T>(static_cast<std::size_t>(d.N));
    constexpr int kThreadsPerBlock = W == 1 ? 128 : 256;
    launch("loss_rows_kernel", loss_rows_kernel<T, W, Row>, grid_for(d.N, kThreadsPerBlock / W), kThreadsPerBlock, 0,
           x.data<T>(), y.data<int32_t>(), d.C, p, row_loss, r.dx.data<T>());
    if (p.mean)
      mean_to_scalar(row_loss, d.N, r.loss.data<T>());
    else
      sum_to_scalar(row_loss, d.N, r.loss.data<T>());
  });
  return r;
}

}  // namespace convlab::cuda
