#include "host/ops/norm/norm_threaded_common.h"

#include <algorithm>
#include <cmath>

#include "host/cpu/parallel.h"
#include "host/cpu/workspace.h"
#include "host/ops/norm/norm_running_stats.h"
#include "host/threads.h"

namespace convlab::threaded {

namespace {

constexpr int64_t kMaxBlock = 64;  // channels per task of the per_channel ops

// How the groups are dealt out to tasks.
struct Plan {
  int64_t tasks;
  int64_t cb;  // channels per task (per_channel); 1 otherwise
};

Plan make_plan(const NormDims& d) {
  if (!d.per_channel) return {d.A * d.G, 1};
  // Enough channels per task for runs of about kMaxBlock elements, but enough
  // tasks for every thread.
  const int64_t threads = std::max(1, get_num_threads());
  int64_t cb = std::clamp<int64_t>(kMaxBlock / d.B, 1, kMaxBlock);
  cb = std::max<int64_t>(1, std::min(cb, (d.C + threads - 1) / threads));
  return {(d.C + cb - 1) / cb, cb};
}

// Number of groups task t owns.
int64_t local_groups(const NormDims& d, const Plan& p, int64_t t) {
  return d.per_channel ? std::min(d.C, (t + 1) * p.cb) - t * p.cb : 1;
}
// Global index of local group gl of task t.
int64_t group_index(const NormDims& d, const Plan& p, int64_t t, int64_t gl) {
  return d.per_channel ? t * p.cb + gl : t;
}

// Calls f(gl, a, c, i0) for each run of task t, in memory order: local group
// gl, row a, channel c, first element i0 of the run's B contiguous elements.
template <class F>
void for_each_run(const NormDims& d, const Plan& p, int64_t t, F&& f) {
  if (d.per_channel) {
    const int64_t c0 = t * p.cb, c1 = std::min(d.C, c0 + p.cb);
    for (int64_t a = 0; a < d.A; ++a)
      for (int64_t c = c0; c < c1; ++c) f(c - c0, a, c, (a * d.C + c) * d.B);
  } else {
    const int64_t a = t / d.G, cg = d.C / d.G, c0 = (t % d.G) * cg;
    for (int64_t c = c0; c < c0 + cg; ++c) f(int64_t(0), a, c, (a * d.C + c) * d.B);
  }
}

template <class T>
double run_sum(const T* x, int64_t n) {
  double s = 0;
  CONVLAB_OMP(simd reduction(+ : s))
  for (int64_t i = 0; i < n; ++i) s += double(x[i]);
  return s;
}

template <class T>
double run_sq_dev(const T* x, int64_t n, double mean) {
  double s = 0;
  CONVLAB_OMP(simd reduction(+ : s))
  for (int64_t i = 0; i < n; ++i) {
    const double t = double(x[i]) - mean;
    s += t * t;
  }
  return s;
}

// out = scale * (x - shift) + bias over a run.
template <class T>
void run_affine(const T* x, int64_t n, T shift, T scale, T bias, T* out) {
  CONVLAB_OMP(simd)
  for (int64_t i = 0; i < n; ++i) out[i] = scale * (x[i] - shift) + bias;
}

// out = gamma[c] * (x - mean[g]) * inv_std[g] + beta[c], per task.
template <class T>
void apply(const NormDims& d, const Plan& p, const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
           T* out) {
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.A * d.C * d.B)))
  for (int64_t t = 0; t < p.tasks; ++t)
    for_each_run(d, p, t, [&](int64_t gl, int64_t, int64_t c, int64_t i0) {
      const int64_t g = group_index(d, p, t, gl);
      run_affine(x + i0, d.B, mean[g], T(gamma[c] * inv_std[g]), beta[c], out + i0);
    });
}

template <class T>
void forward_train(const NormDims& d, const Plan& p, double eps, const T* x, const T* gamma, const T* beta, T* mean,
                   T* var, T* inv_std, T* out) {
  const double M = double(d.group_size());
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.A * d.C * d.B)))
  for (int64_t t = 0; t < p.tasks; ++t) {
    const int64_t ng = local_groups(d, p, t);
    double acc[kMaxBlock], mu[kMaxBlock];
    if (d.per_channel) {
      std::fill(acc, acc + ng, 0.0);
      for_each_run(d, p, t, [&](int64_t gl, int64_t, int64_t, int64_t i0) { acc[gl] += run_sum(x + i0, d.B); });
      for (int64_t gl = 0; gl < ng; ++gl) mu[gl] = acc[gl] / M;
      std::fill(acc, acc + ng, 0.0);
      for_each_run(d, p, t,
                   [&](int64_t gl, int64_t, int64_t, int64_t i0) { acc[gl] += run_sq_dev(x + i0, d.B, mu[gl]); });
    } else {
      // Group t = (a, g) is one contiguous span of M elements starting at t * M.
      const T* span = x + t * d.group_size();
      mu[0] = run_sum(span, d.group_size()) / M;
      acc[0] = run_sq_dev(span, d.group_size(), mu[0]);
    }
    for (int64_t gl = 0; gl < ng; ++gl) {
      const int64_t g = group_index(d, p, t, gl);
      mean[g] = T(mu[gl]);
      var[g] = T(acc[gl] / M);
      inv_std[g] = T(1.0 / std::sqrt(double(var[g]) + eps));
    }
    for_each_run(d, p, t, [&](int64_t gl, int64_t, int64_t c, int64_t i0) {
      const int64_t g = group_index(d, p, t, gl);
      run_affine(x + i0, d.B, mean[g], T(gamma[c] * inv_std[g]), beta[c], out + i0);
    });
  }
}

// Backward. Pass 1 per run: sdy = sum(dout), sdyx = sum(dout * xhat); they give
// dbeta/dgamma (per channel: directly in per_channel tasks, through the (A, C)
// buffer `partial` otherwise) and the group sums of dxhat and dxhat * xhat.
// Pass 2 (train mode) writes dx run by run.
template <class T>
void backward(const NormDims& d, const Plan& p, bool train, const T* x, const T* dy, const T* gamma, const T* mean,
              const T* inv_std, T* dx, T* dgamma, T* dbeta) {
  const double M = double(d.group_size());
  double* partial = d.per_channel ? nullptr : workspace<double>(3, 2 * d.A * d.C);
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.A * d.C * d.B)))
  for (int64_t t = 0; t < p.tasks; ++t) {
    const int64_t ng = local_groups(d, p, t);
    double csdy[kMaxBlock], csdyx[kMaxBlock], g1[kMaxBlock], g2[kMaxBlock];
    std::fill(csdy, csdy + ng, 0.0);
    std::fill(csdyx, csdyx + ng, 0.0);
    std::fill(g1, g1 + ng, 0.0);
    std::fill(g2, g2 + ng, 0.0);
    for_each_run(d, p, t, [&](int64_t gl, int64_t a, int64_t c, int64_t i0) {
      const int64_t g = group_index(d, p, t, gl);
      const double mu = mean[g], inv = inv_std[g];
      const T* xr = x + i0;
      const T* dr = dy + i0;
      double sdy = 0, sdyx = 0;
      CONVLAB_OMP(simd reduction(+ : sdy, sdyx))
      for (int64_t i = 0; i < d.B; ++i) {
        sdy += double(dr[i]);
        sdyx += double(dr[i]) * (double(xr[i]) - mu);
      }
      sdyx *= inv;
      g1[gl] += double(gamma[c]) * sdy;
      g2[gl] += double(gamma[c]) * sdyx;
      if (d.per_channel) {
        csdy[gl] += sdy;
        csdyx[gl] += sdyx;
      } else {
        partial[2 * (a * d.C + c)] = sdy;
        partial[2 * (a * d.C + c) + 1] = sdyx;
      }
    });
    if (d.per_channel)
      for (int64_t gl = 0; gl < ng; ++gl) {
        dbeta[t * p.cb + gl] = T(csdy[gl]);
        dgamma[t * p.cb + gl] = T(csdyx[gl]);
      }
    // dx = k_dy * dout + k_x * (x - mean) + k_0 per run.
    for_each_run(d, p, t, [&](int64_t gl, int64_t, int64_t c, int64_t i0) {
      const int64_t g = group_index(d, p, t, gl);
      const double inv = inv_std[g];
      const T k_dy = T(inv * gamma[c]);
      const T k_x = train ? T(-inv * inv * g2[gl] / M) : T(0);
      const T k_0 = train ? T(-inv * g1[gl] / M) : T(0);
      const T mu = mean[g];
      const T* xr = x + i0;
      const T* dr = dy + i0;
      T* o = dx + i0;
      CONVLAB_OMP(simd)
      for (int64_t i = 0; i < d.B; ++i) o[i] = k_dy * dr[i] + k_x * (xr[i] - mu) + k_0;
    });
  }
  if (!d.per_channel) {
    // dbeta, dgamma: sum the per-(a, c) partials over a, one channel per task.
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.A * d.C)))
    for (int64_t c = 0; c < d.C; ++c) {
      double sdy = 0, sdyx = 0;
      for (int64_t a = 0; a < d.A; ++a) {
        sdy += partial[2 * (a * d.C + c)];
        sdyx += partial[2 * (a * d.C + c) + 1];
      }
      dbeta[c] = T(sdy);
      dgamma[c] = T(sdyx);
    }
  }
}

}  // namespace

Forward<NormCache> norm_forward_train(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      double eps, Tensor* var) {
  const Plan p = make_plan(d);
  NormCache cache;
  cache.x = x;
  cache.gamma = gamma;
  cache.beta = beta;
  cache.eps = eps;
  cache.groups = int(d.G);
  cache.mode = Mode::train;
  cache.mean = Tensor::empty({d.num_groups()}, x.dtype());
  cache.inv_std = Tensor::empty({d.num_groups()}, x.dtype());
  Tensor v = Tensor::empty({d.num_groups()}, x.dtype());
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "norm_forward", [&](auto zero) {
    using T = decltype(zero);
    forward_train<T>(d, p, eps, x.data<T>(), gamma.data<T>(), beta.data<T>(), cache.mean.data<T>(), v.data<T>(),
                     cache.inv_std.data<T>(), out.data<T>());
  });
  if (var) *var = v;
  return {out, cache};
}

Forward<NormCache> batchnorm_forward_any(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                         const Tensor& beta, BatchNormParam& param) {
  return cpu_batchnorm_forward(op, "cpu fast", d, x, gamma, beta, param, norm_forward_train,
                               [&](const NormCache& cache) {
                                 Tensor out = Tensor::empty(x.shape(), x.dtype());
                                 dispatch_floating(x.dtype(), op, [&](auto zero) {
                                   using T = decltype(zero);
                                   apply<T>(d, make_plan(d), x.data<T>(), gamma.data<T>(), beta.data<T>(),
                                            cache.mean.data<T>(), cache.inv_std.data<T>(), out.data<T>());
                                 });
                                 return out;
                               });
}

NormGrads norm_backward(const NormDims& d, const Tensor& dout, const NormCache& cache) {
  CONVLAB_CHECK(cache.x.device() == Device::cpu,
                "norm backward (cpu fast): cache.x must be a CPU tensor, got " << device_name(cache.x.device()));
  NormGrads gr{Tensor::empty(cache.x.shape(), cache.x.dtype()), Tensor::empty(cache.gamma.shape(), cache.x.dtype()),
               Tensor::empty(cache.beta.shape(), cache.x.dtype())};
  dispatch_floating(cache.x.dtype(), "norm_backward", [&](auto zero) {
    using T = decltype(zero);
    backward<T>(d, make_plan(d), cache.mode == Mode::train, cache.x.data<T>(), dout.data<T>(), cache.gamma.data<T>(),
                cache.mean.data<T>(), cache.inv_std.data<T>(), gr.dx.data<T>(), gr.dgamma.data<T>(),
                gr.dbeta.data<T>());
  });
  return gr;
}

}  // namespace convlab::threaded
