#include "host/ops/norm/norm_sync.h"

#include <algorithm>
#include <cmath>

#include "host/ops/norm/norm_check.h"

namespace convlab {

namespace {

// x's channels: gamma's length; the rest of x's shape is (A, ..., B).
int64_t channels_of(const char* what, const Tensor& x, int64_t C) {
  CONVLAB_CHECK(x.ndim() >= 2 && x.shape()[1] == C,
                what << ": expected x of shape (N, " << C << ", ...), got " << shape_str(x.shape()));
  return C;
}

Tensor device_vector(const std::vector<double>& v, const Tensor& like) {
  return Tensor::from_vector(v, {static_cast<int64_t>(v.size())}, like.dtype()).to(like.device());
}

void check_ranks(const char* what, int ranks) {
  CONVLAB_CHECK(ranks >= 1, what << ": ranks must be at least 1, got " << ranks);
}

}  // namespace

Forward<NormCache> sync_batchnorm_forward(BatchNormForwardFn* forward, const Tensor& x, const Tensor& gamma,
                                          const Tensor& beta, BatchNormParam& param, int ranks,
                                          const SumOverRanks& sum) {
  check_ranks("sync_batchnorm_forward", ranks);
  CONVLAB_CHECK(param.mode == Mode::train, "sync_batchnorm_forward: train mode only (test mode is plain batchnorm)");
  const int64_t C = channels_of("sync_batchnorm_forward", x, gamma.numel());
  // The running statistics are checked (or created as zeros) before any work.
  prepare_running_stats("sync_batchnorm_forward", NormDims{x.shape()[0], C, 1}, x, param);

  // The shard's statistics, from the variant itself.
  BatchNormParam local;
  local.mode = Mode::train;
  local.eps = param.eps;
  local.momentum = param.momentum;
  const Forward<NormCache> shard = forward(x, gamma, beta, local);
  const std::vector<double> m = shard.cache.mean.to_vector(), inv = shard.cache.inv_std.to_vector();

  std::vector<double> buf(2 * C);
  for (int64_t c = 0; c < C; ++c) {
    const double v = std::max(0.0, 1.0 / (inv[c] * inv[c]) - param.eps);
    buf[c] = m[c];
    buf[C + c] = v + m[c] * m[c];
  }
  sum(buf);
  std::vector<double> M(C), V(C);
  for (int64_t c = 0; c < C; ++c) {
    M[c] = buf[c] / ranks;
    V[c] = std::max(0.0, buf[C + c] / ranks - M[c] * M[c]);
  }

  // Normalised with the global statistics: the variant's test mode.
  BatchNormParam global;
  global.mode = Mode::test;
  global.eps = param.eps;
  global.momentum = param.momentum;
  global.running_mean = device_vector(M, x);
  global.running_var = device_vector(V, x);
  Forward<NormCache> f = forward(x, gamma, beta, global);

  // The running statistics, as plain batchnorm moves them.
  std::vector<double> rm = param.running_mean.to_vector(), rv = param.running_var.to_vector();
  for (int64_t c = 0; c < C; ++c) {
    rm[c] = param.momentum * rm[c] + (1.0 - param.momentum) * M[c];
    rv[c] = param.momentum * rv[c] + (1.0 - param.momentum) * V[c];
  }
  param.running_mean = device_vector(rm, x);
  param.running_var = device_vector(rv, x);
  return f;
}

NormGrads sync_batchnorm_backward(NormBackwardFn* backward, const Tensor& dout, const NormCache& cache, int ranks,
                                  const SumOverRanks& sum) {
  check_ranks("sync_batchnorm_backward", ranks);
  CONVLAB_CHECK(cache.mode == Mode::test,
                "sync_batchnorm_backward: expected the cache of sync_batchnorm_forward (statistics held fixed)");
  const int64_t C = channels_of("sync_batchnorm_backward", cache.x, cache.gamma.numel());
  NormGrads g = backward(dout, cache);  // dx0 = gamma * dout / s; the shard's dgamma, dbeta

  const std::vector<double> gamma = cache.gamma.to_vector(), dgamma = g.dgamma.to_vector(), dbeta = g.dbeta.to_vector();
  std::vector<double> buf(2 * C);
  for (int64_t c = 0; c < C; ++c) {
    buf[c] = gamma[c] * dbeta[c];       // the shard's sum of dxhat
    buf[C + c] = gamma[c] * dgamma[c];  // and of dxhat * xhat
  }
  sum(buf);
  const std::vector<double> M = cache.mean.to_vector(), inv = cache.inv_std.to_vector();
  const double R = static_cast<double>(cache.x.numel() / C) * ranks;
  std::vector<double> p(C), q(C);
  for (int64_t c = 0; c < C; ++c) {
    // -(S1 + xhat * S2) * inv / R with xhat = (x - M) * inv, as p * x + q.
    p[c] = -inv[c] * inv[c] * buf[C + c] / R;
    q[c] = -inv[c] * buf[c] / R - p[c] * M[c];
  }
  channel_add_affine(cache.x, p, q, g.dx);
  return g;
}

void channel_add_affine(const Tensor& x, const std::vector<double>& p, const std::vector<double>& q, Tensor& dx) {
  const int64_t C = static_cast<int64_t>(p.size());
  CONVLAB_CHECK(q.size() == p.size() && x.ndim() >= 2 && x.shape()[1] == C && dx.shape() == x.shape() &&
                    dx.dtype() == x.dtype() && dx.device() == x.device(),
                "channel_add_affine: expected x and dx of one shape (N, " << C << ", ...), dtype and device, got "
                                                                          << shape_str(x.shape()) << " and "
                                                                          << shape_str(dx.shape()));
#if CONVLAB_HAVE_CUDA
  if (x.device() == Device::cuda) {
    cuda::channel_add_affine(x, device_vector(p, x), device_vector(q, x), dx);
    return;
  }
#endif
  const int64_t A = x.shape()[0], B = C > 0 && A > 0 ? x.numel() / (A * C) : 0;
  dispatch_floating(x.dtype(), "channel_add_affine", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* pd = dx.data<T>();
    for (int64_t a = 0; a < A; ++a)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t at = (a * C + c) * B;
        for (int64_t b = 0; b < B; ++b) pd[at + b] = T(double(pd[at + b]) + p[c] * double(px[at + b]) + q[c]);
      }
  });
}

}  // namespace convlab
