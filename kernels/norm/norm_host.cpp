#include "kernels/norm/norm_host.h"

#include <type_traits>

#include "kernels/norm/norm_launch.h"

namespace convlab::cuda {

namespace {

void expect_cuda(const char* op, const Tensor& x) {
  CONVLAB_CHECK(x.device() == Device::cuda,
                op << ": the CUDA variant needs x on the GPU, got a " << device_name(x.device()) << " tensor");
}

NormCache make_cache(const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t groups, double eps, Mode mode) {
  NormCache c;
  c.x = x;
  c.gamma = gamma;
  c.beta = beta;
  c.mean = Tensor({groups}, x.dtype(), Device::cuda);
  c.inv_std = Tensor({groups}, x.dtype(), Device::cuda);
  c.eps = eps;
  c.mode = mode;
  return c;
}

// Forward pass of either family: fills the (N, C, S) view and the pointers
// every forward argument struct has, lets `extra` set the family's own
// fields, then hands the arguments to `launch`.
template <template <class> class Args, class Extra, class Launch>
Tensor run_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   NormCache& cache, Extra&& extra, Launch&& launch) {
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    Args<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.x = x.data<T>();
    a.gamma = gamma.data<T>();
    a.beta = beta.data<T>();
    a.out = out.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    extra(a);
    launch(a);
  });
  return out;
}

// Backward pass of either family, as run_forward.
template <template <class> class Args, class Extra, class Launch>
NormGrads run_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache, Extra&& extra,
                       Launch&& launch) {
  expect_cuda(op, cache.x);
  check_norm_backward(op, dout, cache, d);
  NormGrads g{Tensor(cache.x.shape(), cache.x.dtype(), Device::cuda),
              Tensor(cache.gamma.shape(), cache.x.dtype(), Device::cuda),
              Tensor(cache.beta.shape(), cache.x.dtype(), Device::cuda)};
  dispatch_floating(cache.x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    Args<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.dout = dout.data<T>();
    a.x = cache.x.data<T>();
    a.gamma = cache.gamma.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    a.dx = g.dx.data<T>();
    a.dgamma = g.dgamma.data<T>();
    a.dbeta = g.dbeta.data<T>();
    extra(a);
    launch(a);
  });
  return g;
}

}  // namespace

Forward<NormCache> channel_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                        const Tensor& beta, BatchNormParam& param, NormVariant v) {
  expect_cuda(op, x);
  check_norm_eps(op, param.eps);
  check_norm_momentum(op, param.momentum);
  prepare_running_stats(op, d, x, param);
  NormCache cache = make_cache(x, gamma, beta, d.C, param.eps, param.mode);
  cache.groups = 1;
  Tensor out = run_forward<ChannelForwardArgs>(
      op, d, x, gamma, beta, cache,
      [&](auto& a) {
        using T = std::remove_pointer_t<decltype(a.out)>;
        a.running_mean = param.running_mean.data<T>();
        a.running_var = param.running_var.data<T>();
        a.eps = T(param.eps);
        a.momentum = T(param.momentum);
        a.train = param.mode == Mode::train;
      },
      [&](const auto& a) { v == NormVariant::warp ? channel_forward_warp(a) : channel_forward_naive(a); });
  return {out, cache};
}

NormGrads channel_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache,
                                NormVariant v, bool staged) {
  return run_backward<ChannelBackwardArgs>(
      op, d, dout, cache,
      [&](auto& a) {
        a.train = cache.mode == Mode::train;
        a.staged = staged;
      },
      [&](const auto& a) { v == NormVariant::warp ? channel_backward_warp(a) : channel_backward_naive(a); });
}

Forward<NormCache> group_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                      const Tensor& beta, double eps, NormVariant v) {
  expect_cuda(op, x);
  check_norm_eps(op, eps);
  NormCache cache = make_cache(x, gamma, beta, d.num_groups(), eps, Mode::train);
  cache.groups = static_cast<int>(d.G);
  Tensor out = run_forward<GroupForwardArgs>(
      op, d, x, gamma, beta, cache,
      [&](auto& a) {
        using T = std::remove_pointer_t<decltype(a.out)>;
        a.G = d.G;
        a.eps = T(eps);
      },
      [&](const auto& a) { v == NormVariant::warp ? group_forward_warp(a) : group_forward_naive(a); });
  return {out, cache};
}

NormGrads group_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache,
                              NormVariant v) {
  return run_backward<GroupBackwardArgs>(
      op, d, dout, cache, [&](auto& a) { a.G = d.G; },
      [&](const auto& a) { v == NormVariant::warp ? group_backward_warp(a) : group_backward_naive(a); });
}

}  // namespace convlab::cuda
