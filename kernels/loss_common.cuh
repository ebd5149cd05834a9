// Shared by the CUDA loss variants (softmax_loss, svm_loss; naive and warp):
// the host driver (checks, outputs, launch, mean of the row losses) and the
// device helpers every loss kernel uses.
#pragma once
#include <limits>
#include <string>

#include "host/ops/loss.h"
#include "kernels/common/reductions.h"
#include "kernels/runtime/launch.h"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

// Loss kernels: kernel(x, y, N, C, row_loss, dx) writes row_loss[row] and
// the row's dx for every row.
template <class T>
using LossKernel = void (*)(const T*, const int32_t*, int64_t, int64_t, T*, T*);

// Threads of a block in each mapping of rows to threads.
constexpr int kRowPerThreadBlock = 128;  // one row per thread
constexpr int kWarpsPerLossBlock = 8;    // one row per warp

// Grid-stride loop over rows with one warp per row: every lane of a warp
// sees the same rows, so the warp's shuffles always run with all 32 lanes.
#define CONVLAB_WARP_ROW_LOOP(row, n)                                                              \
  for (int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; row < (n); \
       row += (static_cast<int64_t>(gridDim.x) * blockDim.x) / 32)

// A label outside [0, C) cannot be reported without a host copy: the row's
// loss and dx become NaN instead. Lanes `lane`, `lane + width`, ... of the
// row's team write dx; lane 0 the loss. Returns whether the label is bad.
template <class T>
__device__ __forceinline__ bool poison_bad_label_row(int32_t label, int64_t C, int lane, int width, T* row_loss,
                                                     T* dr) {
  if (label >= 0 && label < C) return false;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  if (lane == 0) *row_loss = nan;
  for (int64_t j = lane; j < C; j += width) dr[j] = nan;
  return true;
}

// Checks the inputs, allocates the outputs, runs the kernel that
// kernel_of(T{}) names (one row per thread, or per warp when warp_per_row)
// into a scratch vector of row losses, then averages them into the scalar
// loss on the device.
template <class KernelOf>
LossOut run_loss(const char* op, const Tensor& x, const Tensor& y, bool warp_per_row, KernelOf&& kernel_of) {
  x.expect_float((std::string(op) + ": x").c_str());
  expect_same(op, Device::cuda, x.dtype(), {{"x", &x}});
  expect_same(op, Device::cuda, DType::i32, {{"y", &y}});
  const LossDims d = loss_dims(op, x, y);
  LossOut r{Tensor({}, x.dtype(), Device::cuda), Tensor(x.shape(), x.dtype(), Device::cuda)};
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const LossKernel<T> kernel = kernel_of(zero);
    T* row_loss = workspace_as<T>(static_cast<std::size_t>(d.N));
    const int threads = warp_per_row ? kWarpsPerLossBlock * 32 : kRowPerThreadBlock;
    const int rows_per_block = warp_per_row ? kWarpsPerLossBlock : kRowPerThreadBlock;
    kernel<<<grid_for(d.N, rows_per_block), threads>>>(x.data<T>(), y.data<int32_t>(), d.N, d.C, row_loss,
                                                        r.dx.data<T>());
    CUDA_CHECK_LAUNCH(op);
    mean_to_scalar(row_loss, d.N, r.loss.data<T>());
  });
  return r;
}


// svm_loss over the columns j = lane, lane + width, ... of one row: adds
// their hinge margins to `loss` and their count of positive margins to
// `positive`, and writes dx (1/N for a positive margin, else 0) for every
// column but the label's. Margins in double, as the CPU reference computes
// them, so that a margin at the hinge takes the same side in float32 on both.
template <class T>
__device__ __forceinline__ void svm_row_part(const T* __restrict__ xr, int64_t C, int32_t label, int64_t N, int lane,
                                             int width, T* __restrict__ dr, double& loss, int64_t& positive) {
  const double correct = static_cast<double>(xr[label]);
  const T inv_n = T(1.0 / static_cast<double>(N));
  for (int64_t j = lane; j < C; j += width) {
    if (j == label) continue;
    const double margin = static_cast<double>(xr[j]) - correct + 1.0;
    const bool active = margin > 0.0;
    loss += active ? margin : 0.0;
    positive += active ? 1 : 0;
    dr[j] = active ? inv_n : T(0);
  }
}

// dx of the label's column: minus the row's count of positive margins, over N.
template <class T>
__device__ __forceinline__ T svm_label_grad(int64_t positive, int64_t N) {
  return static_cast<T>(-static_cast<double>(positive) / static_cast<double>(N));
}

}  // namespace convlab::cuda
