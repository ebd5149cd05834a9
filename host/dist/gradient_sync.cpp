#include "host/dist/gradient_sync.h"

#include <chrono>

#include "host/ops/scale/scale.h"

namespace convlab::dist {

void GradientSync::average(const std::vector<Tensor>& grads, Tensor& loss) {
  const int n = comm_.size();
  if (n == 1) return;
  CONVLAB_CHECK(loss.numel() == 1, "GradientSync: the loss must be a scalar, got shape " << shape_str(loss.shape()));
  const DType dt = grads.empty() ? loss.dtype() : grads.front().dtype();
  const Device dev = loss.device();
  // The loss rides in the buffer's last element when it has the gradients' dtype.
  const bool loss_inside = loss.dtype() == dt;
  int64_t total = loss_inside ? 1 : 0;
  for (const Tensor& g : grads) {
    expect_same("GradientSync", dev, dt, {{"gradient", &g}});
    total += g.numel();
  }
  if (!flat_.defined() || flat_.numel() != total || flat_.dtype() != dt || flat_.device() != dev)
    flat_ = Tensor::empty({total}, dt, dev);
  int64_t at = 0;
  for (const Tensor& g : grads) {
    flat_.slice0(at, at + g.numel()).reshape(g.shape()).copy_from(g);
    at += g.numel();
  }
  if (loss_inside) flat_.slice0(at, at + 1).reshape(loss.shape()).copy_from(loss);

  const auto t0 = std::chrono::steady_clock::now();
  all_reduce_sum(comm_, flat_);
  if (!loss_inside) {
    Tensor l = loss.to(Device::cpu).to(DType::f64).clone();
    all_reduce_sum(comm_, l);
    loss.copy_from(l.to(loss.dtype()).to(dev));
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bytes_ = static_cast<int64_t>(flat_.nbytes());

  const Tensor mean = scale_forward(flat_, 1.0 / n);
  at = 0;
  for (const Tensor& g : grads) {
    Tensor dst = g;
    dst.copy_from(mean.slice0(at, at + g.numel()).reshape(g.shape()));
    at += g.numel();
  }
  if (loss_inside)
    loss.copy_from(mean.slice0(at, at + 1).reshape(loss.shape()));
  else
    loss.copy_from(scale_forward(loss, 1.0 / n));
}

}  // namespace convlab::dist
