// Launchers of the normalisation kernels, shared by batchnorm, spatial
// batchnorm, layernorm and spatial group norm. Plain C++ (no CUDA headers):
// the host drivers in norm_host.cpp fill these argument structs with device
// pointers; the launchers are defined in the .cu files beside this header and
// explicitly instantiated for float and double.
//
// Two families cover the four ops:
//  - channel norms (batchnorm, spatial batchnorm): x viewed as (N, C, S),
//    element (n, c, s) at (n*C + c)*S + s; statistics per channel c over the
//    N*S elements (n, s). Batchnorm is S = 1, spatial batchnorm S = H*W.
//  - group norms (layernorm, spatial group norm): x viewed as (N, C, S) with
//    C split into G groups of Cg = C/G channels; statistics per segment
//    r = n*G + g over its L = Cg*S contiguous elements. Layernorm is G = 1,
//    S = 1 with C = D.
// gamma and beta have one entry per channel c in both.
#pragma once
#include <cstdint>

namespace convlab::cuda {

template <class T>
struct ChannelForwardArgs {
  int64_t N = 0, C = 0, S = 0;
  const T *x = nullptr, *gamma = nullptr, *beta = nullptr;
  T *out = nullptr, *mean = nullptr, *inv_std = nullptr;  // mean, inv_std: (C,)
  T *running_mean = nullptr, *running_var = nullptr;      // (C,), updated when train
  T eps = T(1e-5), momentum = T(0.9);
  bool train = true;  // false: normalise with the running statistics
};

template <class T>
struct ChannelBackwardArgs {
  int64_t N = 0, C = 0, S = 0;
  const T *dout = nullptr, *x = nullptr, *gamma = nullptr, *mean = nullptr, *inv_std = nullptr;
  T *dx = nullptr, *dgamma = nullptr, *dbeta = nullptr;
  bool train = true;    // false: the statistics were constants (test-mode forward)
  bool staged = false;  // naive only: cs231n's staged graph formula (dvar, dmean) instead of the closed form
};

template <class T>
struct GroupForwardArgs {
  int64_t N = 0, C = 0, S = 0, G = 1;
  const T *x = nullptr, *gamma = nullptr, *beta = nullptr;
  T *out = nullptr, *mean = nullptr, *inv_std = nullptr;  // mean, inv_std: (N*G,)
  T eps = T(1e-5);
};

template <class T>
struct GroupBackwardArgs {
  int64_t N = 0, C = 0, S = 0, G = 1;
  const T *dout = nullptr, *x = nullptr, *gamma = nullptr, *mean = nullptr, *inv_std = nullptr;
  T *dx = nullptr, *dgamma = nullptr, *dbeta = nullptr;
};

// naive: one thread per channel / per segment, serial loops (norm/channel_naive.cu, norm/group_naive.cu).
template <class T>
void channel_forward_naive(const ChannelForwardArgs<T>& a);
template <class T>
void channel_backward_naive(const ChannelBackwardArgs<T>& a);
template <class T>
void group_forward_naive(const GroupForwardArgs<T>& a);
template <class T>
void group_backward_naive(const GroupBackwardArgs<T>& a);

// warp: warp/block reductions, Welford statistics, fused two-sum backward
// (norm/channel_warp.cu, norm/group_warp.cu).
template <class T>
void channel_forward_warp(const ChannelForwardArgs<T>& a);
template <class T>
void channel_backward_warp(const ChannelBackwardArgs<T>& a);
template <class T>
void group_forward_warp(const GroupForwardArgs<T>& a);
template <class T>
void group_backward_warp(const GroupBackwardArgs<T>& a);

}  // namespace convlab::cuda
