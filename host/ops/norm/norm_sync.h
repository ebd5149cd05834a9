// Synchronized batchnorm: batchnorm and spatial_batchnorm in train mode with
// the statistics of the global batch when data-parallel ranks each hold an
// equal shard of it (docs/distributed.md). It runs on any variant of either
// op, on any device, through the variant's own forward and backward:
//
// forward:  the variant's train-mode forward (on a scratch parameter, so the
//           running statistics are not touched) gives the shard's mean m and
//           biased variance v per channel; one all-reduce of [m, v + m^2]
//           (2C doubles) gives the global mean M and variance
//           V = mean(v + m^2) - M^2 (the shards are equal, so the plain mean
//           over ranks is the global one); the variant's test-mode forward
//           with (M, V) as the statistics gives the output; the running
//           statistics move towards (M, V) as in plain batchnorm.
// backward: the variant's test-mode backward gives dx0 = gamma * dout / s
//           (s = sqrt(V + eps)) and the shard's dgamma and dbeta; one
//           all-reduce of [gamma * dbeta, gamma * dgamma] gives the global
//           sums S1 of dxhat and S2 of dxhat * xhat; then
//           dx = dx0 - (S1 + xhat * S2) / (R s), R the global batch's
//           elements per channel, added as dx += p[c] * x + q[c]
//           (channel_add_affine). dgamma and dbeta stay the shard's: the
//           gradient all-reduce averages them with the other parameters'.
//
// Cost over plain batchnorm: one more pass over x in the forward, one more
// over x and dx in the backward, and two all-reduces of 2C doubles per layer
// per step. The result equals one process's batchnorm over the whole batch
// to rounding.
#pragma once
#include <functional>
#include <vector>

#include "host/ops/norm/norm.h"

namespace convlab {

// Sums a host buffer over the ranks, in place (every rank gets the same values).
using SumOverRanks = std::function<void(std::vector<double>&)>;

// x: (N, D) for batchnorm_forward, (N, C, H, W) for spatial_batchnorm_forward
// (`forward` and `backward` are one variant's entry points); `ranks`
// equal shards. In train mode only (test mode is the plain op).
Forward<NormCache> sync_batchnorm_forward(BatchNormForwardFn* forward, const Tensor& x, const Tensor& gamma,
                                          const Tensor& beta, BatchNormParam& param, int ranks,
                                          const SumOverRanks& sum);
// cache: sync_batchnorm_forward's.
NormGrads sync_batchnorm_backward(NormBackwardFn* backward, const Tensor& dout, const NormCache& cache, int ranks,
                                  const SumOverRanks& sum);

// dx[a, c, b] += p[c] * x[a, c, b] + q[c] for x and dx viewed as (A, C, B)
// with C = p.numel(); p and q in double on the CPU, x and dx on one device.
void channel_add_affine(const Tensor& x, const std::vector<double>& p, const std::vector<double>& q, Tensor& dx);

namespace cuda {  // kernels/norm/channel_add_affine.cu
// The same on the GPU: p and q of x's dtype on the GPU, A * C * B = x.numel().
void channel_add_affine(const Tensor& x, const Tensor& p, const Tensor& q, Tensor& dx);
}  // namespace cuda

}  // namespace convlab
