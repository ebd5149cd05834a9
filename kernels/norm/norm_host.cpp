#include "kernels/norm/norm_host.h"

#include "kernels/norm/norm_launch.h"

namespace convlab::cuda_norm {

namespace {

void expect_cuda(const char* op, const Tensor& x) {
  CONVLAB_CHECK(x.device() == Device::cuda,
                op << ": the CUDA variant needs x on the GPU, got a " << device_name(x.device()) << " tensor");
}

NormCache make_cache(const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t groups, double eps,
                     Mode mode) {
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

Grads3 alloc_grads(const NormCache& cache) {
  return {Tensor(cache.x.shape(), cache.x.dtype(), Device::cuda),
          Tensor(cache.gamma.shape(), cache.x.dtype(), Device::cuda),
          Tensor(cache.beta.shape(), cache.x.dtype(), Device::cuda)};
}

}  // namespace

Forward<NormCache> channel_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                        const Tensor& beta, BatchNormParam& param, Variant v) {
  expect_cuda(op, x);
  check_norm_eps(op, param.eps);
  check_norm_momentum(op, param.momentum);
  prepare_running_stats(op, d, x, param);
  NormCache cache = make_cache(x, gamma, beta, d.C, param.eps, param.mode);
  cache.groups = 1;
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    ChannelForwardArgs<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.x = x.data<T>();
    a.gamma = gamma.data<T>();
    a.beta = beta.data<T>();
    a.out = out.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    a.running_mean = param.running_mean.data<T>();
    a.running_var = param.running_var.data<T>();
    a.eps = T(param.eps);
    a.momentum = T(param.momentum);
    a.train = param.mode == Mode::train;
    if (v == Variant::fast) channel_forward_fast(a);
    else channel_forward_naive(a);
  });
  return {out, cache};
}

Grads3 channel_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache,
                             Variant v, bool staged) {
  expect_cuda(op, cache.x);
  check_norm_backward(op, dout, cache, d);
  Grads3 g = alloc_grads(cache);
  dispatch_floating(cache.x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    ChannelBackwardArgs<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.dout = dout.data<T>();
    a.x = cache.x.data<T>();
    a.gamma = cache.gamma.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    a.dx = g.dx.data<T>();
    a.dgamma = g.d1.data<T>();
    a.dbeta = g.d2.data<T>();
    a.train = cache.mode == Mode::train;
    a.staged = staged;
    if (v == Variant::fast) channel_backward_fast(a);
    else channel_backward_naive(a);
  });
  return g;
}

Forward<NormCache> group_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                      const Tensor& beta, double eps, Variant v) {
  expect_cuda(op, x);
  check_norm_eps(op, eps);
  NormCache cache = make_cache(x, gamma, beta, d.num_groups(), eps, Mode::train);
  cache.groups = static_cast<int>(d.G);
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    GroupForwardArgs<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.G = d.G;
    a.x = x.data<T>();
    a.gamma = gamma.data<T>();
    a.beta = beta.data<T>();
    a.out = out.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    a.eps = T(eps);
    if (v == Variant::fast) group_forward_fast(a);
    else group_forward_naive(a);
  });
  return {out, cache};
}

Grads3 group_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache, Variant v) {
  expect_cuda(op, cache.x);
  check_norm_backward(op, dout, cache, d);
  Grads3 g = alloc_grads(cache);
  dispatch_floating(cache.x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    GroupBackwardArgs<T> a;
    a.N = d.A;
    a.C = d.C;
    a.S = d.B;
    a.G = d.G;
    a.dout = dout.data<T>();
    a.x = cache.x.data<T>();
    a.gamma = cache.gamma.data<T>();
    a.mean = cache.mean.data<T>();
    a.inv_std = cache.inv_std.data<T>();
    a.dx = g.dx.data<T>();
    a.dgamma = g.d1.data<T>();
    a.dbeta = g.d2.data<T>();
    if (v == Variant::fast) group_backward_fast(a);
    else group_backward_naive(a);
  });
  return g;
}

}  // namespace convlab::cuda_norm
