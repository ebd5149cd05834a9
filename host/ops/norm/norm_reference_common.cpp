#include "host/ops/norm/norm_reference_common.h"

#include <cmath>
#include <vector>

namespace convlab::ref {

namespace {

// Calls f(index, a, c, g) for every element of x in memory order.
template <class F>
void for_each_element(const NormDims& d, F&& f) {
  int64_t i = 0;
  for (int64_t a = 0; a < d.A; ++a)
    for (int64_t c = 0; c < d.C; ++c) {
      const int64_t g = d.group_of(a, c);
      for (int64_t b = 0; b < d.B; ++b, ++i) f(i, c, g);
    }
}

// dgamma[c] = sum(dout * xhat), dbeta[c] = sum(dout) over every element of channel c.
template <class T>
void param_grads(const NormDims& d, const T* x, const T* dout, const T* mean, const T* inv_std, T* dgamma, T* dbeta) {
  std::vector<double> sg(d.C, 0.0), sb(d.C, 0.0);
  for_each_element(d, [&](int64_t i, int64_t c, int64_t g) {
    const double xhat = (double(x[i]) - mean[g]) * inv_std[g];
    sg[c] += double(dout[i]) * xhat;
    sb[c] += dout[i];
  });
  for (int64_t c = 0; c < d.C; ++c) {
    dgamma[c] = T(sg[c]);
    dbeta[c] = T(sb[c]);
  }
}

NormGrads alloc_grads(const NormCache& cache) {
  return {Tensor(cache.x.shape(), cache.x.dtype()), Tensor(cache.gamma.shape(), cache.x.dtype()),
          Tensor(cache.beta.shape(), cache.x.dtype())};
}

// Test mode: the statistics are constants, dx = dout * gamma * inv_std.
template <class T>
void backward_fixed_stats(const NormDims& d, const T* dout, const T* gamma, const T* inv_std, T* dx) {
  for_each_element(d, [&](int64_t i, int64_t c, int64_t g) { dx[i] = T(double(dout[i]) * gamma[c] * inv_std[g]); });
}

}  // namespace

void norm_statistics(const NormDims& d, const Tensor& x, Tensor& mean, Tensor& var) {
  mean = Tensor({d.num_groups()}, x.dtype());
  var = Tensor({d.num_groups()}, x.dtype());
  dispatch_floating(x.dtype(), "norm_statistics", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const double M = double(d.group_size());
    std::vector<double> s(d.num_groups(), 0.0), v(d.num_groups(), 0.0);
    for_each_element(d, [&](int64_t i, int64_t, int64_t g) { s[g] += px[i]; });
    for (auto& e : s) e /= M;
    for_each_element(d, [&](int64_t i, int64_t, int64_t g) {
      const double t = px[i] - s[g];
      v[g] += t * t;
    });
    for (int64_t g = 0; g < d.num_groups(); ++g) {
      mean.data<T>()[g] = T(s[g]);
      var.data<T>()[g] = T(v[g] / M);
    }
  });
}

Tensor norm_apply(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                  const Tensor& var, double eps) {
  Tensor out(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "norm_apply", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pg = gamma.data<T>(), *pb = beta.data<T>();
    const T *pm = mean.data<T>(), *pv = var.data<T>();
    T* po = out.data<T>();
    std::vector<double> std_dev(d.num_groups());
    for (int64_t g = 0; g < d.num_groups(); ++g) std_dev[g] = std::sqrt(double(pv[g]) + eps);
    for_each_element(d, [&](int64_t i, int64_t c, int64_t g) {
      po[i] = T(double(pg[c]) * ((double(px[i]) - pm[g]) / std_dev[g]) + pb[c]);
    });
  });
  return out;
}

Forward<NormCache> norm_forward_train(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      double eps, Tensor* var) {
  NormCache cache;
  Tensor v;
  norm_statistics(d, x, cache.mean, v);
  cache.inv_std = norm_inv_std(v, eps);
  cache.x = x;
  cache.gamma = gamma;
  cache.beta = beta;
  cache.eps = eps;
  cache.groups = int(d.G);
  cache.mode = Mode::train;
  if (var) *var = v;
  Tensor out = norm_apply(d, x, gamma, beta, cache.mean, v, eps);
  return {out, cache};
}

Forward<NormCache> batchnorm_forward_any(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                         const Tensor& beta, BatchNormParam& param) {
  return cpu_batchnorm_forward(
      op, "cpu reference", d, x, gamma, beta, param, norm_forward_train,
      [&](const NormCache& cache) { return norm_apply(d, x, gamma, beta, cache.mean, param.running_var, param.eps); });
}

NormGrads norm_backward_closed(const NormDims& d, const Tensor& dout, const NormCache& cache) {
  NormGrads gr = alloc_grads(cache);
  dispatch_floating(cache.x.dtype(), "norm_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *x = cache.x.data<T>(), *gamma = cache.gamma.data<T>(), *dy = dout.data<T>();
    const T *mean = cache.mean.data<T>(), *inv_std = cache.inv_std.data<T>();
    T* dx = gr.dx.data<T>();
    param_grads(d, x, dy, mean, inv_std, gr.dgamma.data<T>(), gr.dbeta.data<T>());
    if (cache.mode == Mode::test) return backward_fixed_stats(d, dy, gamma, inv_std, dx);
    const double M = double(d.group_size());
    std::vector<double> sum_dxhat(d.num_groups(), 0.0), sum_dxhat_xhat(d.num_groups(), 0.0);
    for_each_element(d, [&](int64_t i, int64_t c, int64_t g) {
      const double dxhat = double(dy[i]) * gamma[c];
      sum_dxhat[g] += dxhat;
      sum_dxhat_xhat[g] += dxhat * (double(x[i]) - mean[g]) * inv_std[g];
    });
    for_each_element(d, [&](int64_t i, int64_t c, int64_t g) {
      const double dxhat = double(dy[i]) * gamma[c];
      const double xhat = (double(x[i]) - mean[g]) * inv_std[g];
      dx[i] = T(inv_std[g] / M * (M * dxhat - sum_dxhat[g] - xhat * sum_dxhat_xhat[g]));
    });
  });
  return gr;
}

NormGrads norm_backward_graph(const NormDims& d, const Tensor& dout, const NormCache& cache) {
  NormGrads gr = alloc_grads(cache);
  dispatch_floating(cache.x.dtype(), "norm_backward_graph", [&](auto zero) {
    using T = decltype(zero);
    const T *x = cache.x.data<T>(), *gamma = cache.gamma.data<T>(), *dy = dout.data<T>();
    const T *mean = cache.mean.data<T>(), *inv_std = cache.inv_std.data<T>();
    T* dx = gr.dx.data<T>();
    // out = gamma * xhat + beta: dbeta = sum(dout), dgamma = sum(dout * xhat), dxhat = dout * gamma.
    param_grads(d, x, dy, mean, inv_std, gr.dgamma.data<T>(), gr.dbeta.data<T>());
    if (cache.mode == Mode::test) return backward_fixed_stats(d, dy, gamma, inv_std, dx);
    const int64_t ng = d.num_groups();
    const double M = double(d.group_size());
    // xhat = xmu * ivar: divar = sum(dxhat * xmu); dxmu1 = dxhat * ivar.
    std::vector<double> divar(ng, 0.0);
    for_each_element(
        d, [&](int64_t i, int64_t c, int64_t g) { divar[g] += double(dy[i]) * gamma[c] * (double(x[i]) - mean[g]); });
    // ivar = 1 / sqrtvar: dsqrtvar = -divar / sqrtvar^2; sqrtvar = sqrt(var + eps): dvar = 0.5 / sqrtvar * dsqrtvar;
    // var = mean(sq): dsq = dvar / M; sq = xmu^2: dxmu2 = 2 * xmu * dsq.
    std::vector<double> dsq(ng), dmu(ng, 0.0), dx1(dout.numel());
    for (int64_t g = 0; g < ng; ++g) {
      const double ivar = inv_std[g];
      const double dsqrtvar = -divar[g] * ivar * ivar;
      const double dvar = 0.5 * ivar * dsqrtvar;
      dsq[g] = dvar / M;
    }
    // xmu = x - mu: dx1 = dxmu1 + dxmu2, dmu = -sum(dx1); mu = mean(x): dx = dx1 + dmu / M.
    for_each_element(d, [&](int64_t i, int64_t c, int64_t g) {
      const double xmu = double(x[i]) - mean[g];
      dx1[i] = double(dy[i]) * gamma[c] * inv_std[g] + 2.0 * xmu * dsq[g];
      dmu[g] -= dx1[i];
    });
    for_each_element(d, [&](int64_t i, int64_t, int64_t g) { dx[i] = T(dx1[i] + dmu[g] / M); });
  });
  return gr;
}

}  // namespace convlab::ref
