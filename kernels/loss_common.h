// Driver shared by the CUDA loss variants: checks the inputs, allocates the
// outputs, runs a per-row kernel launcher, then averages the row losses.
#pragma once
#include "host/ops/loss.h"
#include "kernels/common/reductions.h"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

// launch(x, y, N, C, row_loss, dx) for T = float and double.
template <class Launch>
LossOut run_loss(const char* op, const Tensor& x, const Tensor& y, Launch&& launch) {
  x.expect_float((std::string(op) + ": x").c_str());
  expect_same(op, Device::cuda, x.dtype(), {{"x", &x}});
  expect_same(op, Device::cuda, DType::i32, {{"y", &y}});
  const LossDims d = loss_dims(op, x, y);
  LossOut r{Tensor({}, x.dtype(), Device::cuda), Tensor(x.shape(), x.dtype(), Device::cuda)};
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    T* row_loss = workspace_as<T>(static_cast<std::size_t>(d.N));
    launch(x.data<T>(), y.data<int32_t>(), d.N, d.C, row_loss, r.dx.data<T>());
    mean_to_scalar(row_loss, d.N, r.loss.data<T>());
  });
  return r;
}

}  // namespace convlab::cuda
