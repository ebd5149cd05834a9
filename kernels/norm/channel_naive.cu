// Naive CUDA kernels of the channel norms (batchnorm, spatial batchnorm):
// the obviously-right baseline the warp variant is checked and timed against.
#include "kernels/norm/norm_launch.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {
namespace {

constexpr int kBlock = 128;

// One thread per channel c, serial loops over its N*S elements (n, s) at
// (n*C + c)*S + s: a two-pass mean and biased variance, the running-stat
// update, then the normalised output. With S = 1 neighbouring threads touch
// neighbouring addresses (coalesced rows); with S > 1 each thread streams its
// own runs of S elements (uncoalesced across the warp). Sums and the
// per-element arithmetic are in double, as in the CPU reference, so float32
// results do not drift over channels of many elements.
template <class T>
__global__ void channel_forward_naive_kernel(ChannelForwardArgs<T> a) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= a.C) return;
  const double M = double(a.N * a.S);
  T mu, var;
  if (a.train) {
    double sum = 0;
    for (int64_t n = 0; n < a.N; ++n)
      for (int64_t s = 0; s < a.S; ++s) sum += a.x[(n * a.C + c) * a.S + s];
    const double mu_d = sum / M;
    double sq = 0;
    for (int64_t n = 0; n < a.N; ++n)
      for (int64_t s = 0; s < a.S; ++s) {
        const double d = a.x[(n * a.C + c) * a.S + s] - mu_d;
        sq += d * d;
      }
    mu = T(mu_d);
    var = T(sq / M);
    const double m = a.momentum;
    a.running_mean[c] = T(m * a.running_mean[c] + (1.0 - m) * mu);
    a.running_var[c] = T(m * a.running_var[c] + (1.0 - m) * var);
  } else {
    mu = a.running_mean[c];
    var = a.running_var[c];
  }
  const double istd = 1.0 / sqrt(double(var) + double(a.eps));
  a.mean[c] = mu;
  a.inv_std[c] = T(istd);
  const double g = a.gamma[c], b = a.beta[c];
  for (int64_t n = 0; n < a.N; ++n)
    for (int64_t s = 0; s < a.S; ++s) {
      const int64_t i = (n * a.C + c) * a.S + s;
      a.out[i] = T(g * ((double(a.x[i]) - mu) * istd) + b);
    }
}

// One thread per channel c, same access pattern as the forward: one serial
// pass for the sums (dout, dout*xhat, and for the staged form dout*(x-mu) and
// x-mu), then one pass writing dx.
template <class T>
__global__ void channel_backward_naive_kernel(ChannelBackwardArgs<T> a) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= a.C) return;
  const double M = double(a.N * a.S);
  const double g = a.gamma[c], mu = a.mean[c], istd = a.inv_std[c];
  double sum_d = 0, sum_dxh = 0, sum_dxc = 0, sum_xc = 0;
  for (int64_t n = 0; n < a.N; ++n)
    for (int64_t s = 0; s < a.S; ++s) {
      const int64_t i = (n * a.C + c) * a.S + s;
      const double d = a.dout[i], xc = a.x[i] - mu;
      sum_d += d;
      sum_dxh += d * xc * istd;
      sum_dxc += d * xc;
      sum_xc += xc;
    }
  a.dbeta[c] = T(sum_d);
  a.dgamma[c] = T(sum_dxh);
  // Staged graph (cs231n batchnorm_backward): dxhat -> dvar -> dmean -> dx.
  const double dvar = g * sum_dxc * -0.5 * istd * istd * istd;
  const double dmean = -g * istd * sum_d + dvar * -2.0 * sum_xc / M;
  for (int64_t n = 0; n < a.N; ++n)
    for (int64_t s = 0; s < a.S; ++s) {
      const int64_t i = (n * a.C + c) * a.S + s;
      const double d = a.dout[i], xc = a.x[i] - mu;
      double dx;
      if (!a.train)
        dx = d * g * istd;  // statistics were constants
      else if (a.staged)
        dx = d * g * istd + dvar * 2.0 * xc / M + dmean / M;
      else
        dx = g * istd / M * (M * d - sum_d - xc * istd * sum_dxh);  // closed form
      a.dx[i] = T(dx);
    }
}

}  // namespace

template <class T>
void channel_forward_naive(const ChannelForwardArgs<T>& a) {
  launch("channel_forward_naive_kernel", channel_forward_naive_kernel<T>,
         static_cast<unsigned>(cuda::ceil_div(a.C, kBlock)), kBlock, 0, a);
}

template <class T>
void channel_backward_naive(const ChannelBackwardArgs<T>& a) {
  launch("channel_backward_naive_kernel", channel_backward_naive_kernel<T>,
         static_cast<unsigned>(cuda::ceil_div(a.C, kBlock)), kBlock, 0, a);
}

template void channel_forward_naive<float>(const ChannelForwardArgs<float>&);
template void channel_forward_naive<double>(const ChannelForwardArgs<double>&);
template void channel_backward_naive<float>(const ChannelBackwardArgs<float>&);
template void channel_backward_naive<double>(const ChannelBackwardArgs<double>&);

}  // namespace convlab::cuda
