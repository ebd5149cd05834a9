// Naive CUDA kernels of the group norms (layernorm, spatial group norm): the
// obviously-right baseline the warp variant is checked and timed against.
#include "kernels/norm/norm_launch.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {
namespace {

constexpr int kBlock = 128;

// One thread per segment r = n*G + g; it walks the segment's L = Cg*S
// contiguous elements serially: two-pass mean and biased variance, then the
// output with gamma/beta of channel g*Cg + k/S. Each thread streams its own
// segment, so a warp's loads are L elements apart (uncoalesced). Sums and
// per-element arithmetic are in double, as in the CPU reference.
template <class T>
__global__ void group_forward_naive_kernel(GroupForwardArgs<T> a) {
  const int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (r >= a.N * a.G) return;
  const int64_t Cg = a.C / a.G, L = Cg * a.S, c0 = (r % a.G) * Cg;
  const T* x = a.x + r * L;
  double sum = 0;
  for (int64_t k = 0; k < L; ++k) sum += x[k];
  const double mu_d = sum / double(L);
  double sq = 0;
  for (int64_t k = 0; k < L; ++k) sq += (x[k] - mu_d) * (x[k] - mu_d);
  const T mu = T(mu_d), var = T(sq / double(L));
  const double istd = 1.0 / sqrt(double(var) + double(a.eps));
  a.mean[r] = mu;
  a.inv_std[r] = T(istd);
  T* out = a.out + r * L;
  for (int64_t k = 0; k < L; ++k) {
    const int64_t c = c0 + k / a.S;
    out[k] = T(double(a.gamma[c]) * ((double(x[k]) - mu) * istd) + a.beta[c]);
  }
}

// dx: one thread per segment, a serial pass for sum(dxhat) and
// sum(dxhat * xhat) (dxhat = dout * gamma), then a pass writing dx.
template <class T>
__global__ void group_dx_naive_kernel(GroupBackwardArgs<T> a) {
  const int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (r >= a.N * a.G) return;
  const int64_t Cg = a.C / a.G, L = Cg * a.S, c0 = (r % a.G) * Cg;
  const double mu = a.mean[r], istd = a.inv_std[r], Ld = double(L);
  const T* x = a.x + r * L;
  const T* dout = a.dout + r * L;
  double s1 = 0, s2 = 0;
  for (int64_t k = 0; k < L; ++k) {
    const double dxh = double(dout[k]) * a.gamma[c0 + k / a.S];
    s1 += dxh;
    s2 += dxh * (x[k] - mu) * istd;
  }
  T* dx = a.dx + r * L;
  for (int64_t k = 0; k < L; ++k) {
    const double dxh = double(dout[k]) * a.gamma[c0 + k / a.S];
    dx[k] = T(istd / Ld * (Ld * dxh - s1 - (x[k] - mu) * istd * s2));
  }
}

// dgamma, dbeta: one thread per channel c, serial loop over its N*S elements
// (n, s) at (n*C + c)*S + s, each normalised with its segment n*G + c/Cg.
template <class T>
__global__ void group_dparams_naive_kernel(GroupBackwardArgs<T> a) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= a.C) return;
  const int64_t g = c / (a.C / a.G);
  double dg = 0, db = 0;
  for (int64_t n = 0; n < a.N; ++n) {
    const int64_t r = n * a.G + g;
    const double mu = a.mean[r], istd = a.inv_std[r];
    for (int64_t s = 0; s < a.S; ++s) {
      const int64_t i = (n * a.C + c) * a.S + s;
      dg += double(a.dout[i]) * (a.x[i] - mu) * istd;
      db += a.dout[i];
    }
  }
  a.dgamma[c] = T(dg);
  a.dbeta[c] = T(db);
}

}  // namespace

template <class T>
void group_forward_naive(const GroupForwardArgs<T>& a) {
  launch("group_forward_naive_kernel", group_forward_naive_kernel<T>,
         static_cast<unsigned>(cuda::ceil_div(a.N * a.G, kBlock)), kBlock, 0, a);
}

template <class T>
void group_backward_naive(const GroupBackwardArgs<T>& a) {
  launch("group_dx_naive_kernel", group_dx_naive_kernel<T>, static_cast<unsigned>(cuda::ceil_div(a.N * a.G, kBlock)),
         kBlock, 0, a);
  launch("group_dparams_naive_kernel", group_dparams_naive_kernel<T>,
         static_cast<unsigned>(cuda::ceil_div(a.C, kBlock)), kBlock, 0, a);
}

template void group_forward_naive<float>(const GroupForwardArgs<float>&);
template void group_forward_naive<double>(const GroupForwardArgs<double>&);
template void group_backward_naive<float>(const GroupBackwardArgs<float>&);
template void group_backward_naive<double>(const GroupBackwardArgs<double>&);

}  // namespace convlab::cuda
