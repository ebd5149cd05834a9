// CUDA variants of softmax_loss and svm_loss (see host/ops/loss/loss.h):
// "naive" (one thread per row) and "warp" (one warp per row, shuffles), one
// kernel template for both (kernels/loss/loss_common.cuh, softmax_loss.cu, svm_loss.cu).
// Each row's loss goes to a scratch vector that one block then averages into
// the scalar loss tensor on the device (no host copy). A label outside
// [0, C) cannot be reported without a host copy: its row's loss and dx are NaN.
#pragma once
#include "host/ops/loss/loss.h"

namespace convlab::cuda {

LossOut softmax_loss_naive(const Tensor& x, const Tensor& y);
LossOut softmax_loss_warp(const Tensor& x, const Tensor& y);
LossOut svm_loss_naive(const Tensor& x, const Tensor& y);
LossOut svm_loss_warp(const Tensor& x, const Tensor& y);

}  // namespace convlab::cuda
