// The warp variant's CUDA kernels of the channel norms (batchnorm, spatial batchnorm), on
// the (N, C, S) view with no transposes. Forward: one-pass Welford statistics
// per channel (channel_reduce: coalesced column blocks for S = 1, split
// spatial blocks with warp-shuffle + shared-memory reductions for S > 1),
// the running-stat update in the finishing step, then one element-wise pass
// writing the output. Backward: sum(dout) and sum(dout * xhat) in one fused
// reduction pass, then one element-wise pass writing dx.
#include "kernels/norm/channel_reduce.cuh"
#include "kernels/norm/norm_launch.h"

namespace convlab::cuda {
namespace {

template <class T>
struct PushX {
  const T* x;
  __device__ void operator()(kern::Welford<T>& acc, int64_t i, int64_t, int64_t) const { acc.push(x[i]); }
};

// Channel c's batch statistics: cache mean/inv_std, update running stats.
template <class T>
struct FinishStats {
  T *mean, *inv_std, *running_mean, *running_var;
  T eps, momentum;
  __device__ void operator()(int64_t c, const kern::Welford<T>& w) const {
    const T var = w.var();
    mean[c] = w.mean;
    inv_std[c] = T(1) / sqrt(var + eps);
    running_mean[c] = momentum * running_mean[c] + (T(1) - momentum) * w.mean;
    running_var[c] = momentum * running_var[c] + (T(1) - momentum) * var;
  }
};

// Test mode: statistics are the running ones. One thread per channel.
template <class T>
__global__ void stats_from_running_kernel(ChannelForwardArgs<T> a) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= a.C) return;
  a.mean[c] = a.running_mean[c];
  a.inv_std[c] = T(1) / sqrt(a.running_var[c] + a.eps);
}

template <class T>
struct Normalize {
  const T *x, *mean, *inv_std, *gamma, *beta;
  T* out;
  __device__ void operator()(int64_t i, int64_t c) const {
    out[i] = (x[i] - mean[c]) * inv_std[c] * gamma[c] + beta[c];
  }
};

template <class T>
struct PushDoutXhat {
  const T *dout, *x, *mean, *inv_std;
  __device__ void operator()(kern::SumPair<T>& acc, int64_t i, int64_t, int64_t c) const {
    const T d = dout[i];
    acc.add(d, d * (x[i] - mean[c]) * inv_std[c]);
  }
};

// dx from the two sums: closed form gamma*istd/M * (M*dout - dbeta - xhat*dgamma)
// in train mode, gamma*istd*dout when the statistics were constants.
template <class T>
struct Dx {
  const T *dout, *x, *gamma, *mean, *inv_std, *dgamma, *dbeta;
  T* dx;
  T M;
  bool train;
  __device__ void operator()(int64_t i, int64_t c) const {
    const T k = gamma[c] * inv_std[c], d = dout[i];
    dx[i] = train ? k / M * (M * d - dbeta[c] - (x[i] - mean[c]) * inv_std[c] * dgamma[c]) : k * d;
  }
};

}  // namespace

template <class T>
void channel_forward_warp(const ChannelForwardArgs<T>& a) {
  if (a.train) {
    channel_reduce<kern::Welford<T>>(
        a.N, a.C, a.S, PushX<T>{a.x},
        FinishStats<T>{a.mean, a.inv_std, a.running_mean, a.running_var, a.eps, a.momentum});
  } else {
    constexpr int kBlock = 128;
    launch("stats_from_running_kernel", stats_from_running_kernel<T>,
           static_cast<unsigned>(cuda::ceil_div(a.C, kBlock)), kBlock, 0, a);
  }
  channel_map(a.N, a.C, a.S, Normalize<T>{a.x, a.mean, a.inv_std, a.gamma, a.beta, a.out});
}

template <class T>
void channel_backward_warp(const ChannelBackwardArgs<T>& a) {
  channel_reduce<kern::SumPair<T>>(a.N, a.C, a.S, PushDoutXhat<T>{a.dout, a.x, a.mean, a.inv_std},
                                   FinishParamGrads<T>{a.dgamma, a.dbeta});
  channel_map(a.N, a.C, a.S,
              Dx<T>{a.dout, a.x, a.gamma, a.mean, a.inv_std, a.dgamma, a.dbeta, a.dx, T(a.N * a.S), a.train});
}

template void channel_forward_warp<float>(const ChannelForwardArgs<float>&);
template void channel_forward_warp<double>(const ChannelForwardArgs<double>&);
template void channel_backward_warp<float>(const ChannelBackwardArgs<float>&);
template void channel_backward_warp<double>(const ChannelBackwardArgs<double>&);

}  // namespace convlab::cuda
