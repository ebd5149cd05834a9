// The warp variant's CUDA kernels of the group norms (layernorm, spatial group norm). Each
// segment r = n*G + g (L = Cg*S contiguous elements) belongs to a team: one
// warp when L <= kWarpMaxL (8 segments per 256-thread block), else one whole
// block. Forward: one-pass Welford statistics per thread over a strided,
// coalesced walk of the segment, merged by warp shuffles (+ shared memory
// for a block), then a second walk writing the output (the segment was just
// read, so mostly from L2). Backward dx: the two sums sum(dxhat) and
// sum(dxhat * xhat) in one pass, then dx. dgamma/dbeta: the shared
// per-channel reduction (channel_reduce) over the (N, C, S) view.
#include "kernels/norm/channel_reduce.cuh"
#include "kernels/norm/norm_launch.h"

namespace convlab::cuda {
namespace {

constexpr int64_t kWarpMaxL = 1024;
constexpr int kTeamBlock = 256;

// Where this thread sits in its segment's team.
template <bool kWarp>
struct Team {
  int64_t segment;
  int lane, width;
  __device__ Team() {
    if (kWarp) {
      segment = blockIdx.x * static_cast<int64_t>(blockDim.x / kern::kWarpSize) + threadIdx.x / kern::kWarpSize;
      lane = threadIdx.x % kern::kWarpSize;
      width = kern::kWarpSize;
    } else {
      segment = blockIdx.x;
      lane = threadIdx.x;
      width = blockDim.x;
    }
  }
  template <class Acc>
  __device__ Acc reduce(Acc v) const {
    return kWarp ? kern::warp_reduce(v) : kern::block_reduce(v);
  }
};

// One team per segment: each thread pushes elements lane, lane + width, ...
// (consecutive lanes on consecutive addresses) into its Welford accumulator,
// the team merges them, then the same walk writes the output.
template <class T, bool kWarp>
__global__ void group_forward_warp_kernel(GroupForwardArgs<T> a) {
  const Team<kWarp> team;
  const int64_t R = a.N * a.G;
  if (kWarp && team.segment >= R) return;  // whole warps leave together
  const int64_t Cg = a.C / a.G, L = Cg * a.S, c0 = (team.segment % a.G) * Cg;
  const T* x = a.x + team.segment * L;
  kern::Welford<T> w = kern::Welford<T>::identity();
  for (int64_t k = team.lane; k < L; k += team.width) w.push(x[k]);
  w = team.reduce(w);
  const T mu = w.mean, istd = T(1) / sqrt(w.var() + a.eps);
  if (team.lane == 0) {
    a.mean[team.segment] = mu;
    a.inv_std[team.segment] = istd;
  }
  T* out = a.out + team.segment * L;
  QuotRem cs(team.lane, team.width, a.S);  // channel offset k / S within the group
  for (int64_t k = team.lane; k < L; k += team.width, cs.advance()) {
    const int64_t c = c0 + cs.q;
    out[k] = (x[k] - mu) * istd * a.gamma[c] + a.beta[c];
  }
}

// One team per segment, same walk as the forward: sum(dxhat) and
// sum(dxhat * xhat) in one pass and one team reduction, then a second walk
// writing dx = istd/L * (L*dxhat - sum(dxhat) - xhat*sum(dxhat*xhat)).
template <class T, bool kWarp>
__global__ void group_dx_warp_kernel(GroupBackwardArgs<T> a) {
  const Team<kWarp> team;
  const int64_t R = a.N * a.G;
  if (kWarp && team.segment >= R) return;
  const int64_t Cg = a.C / a.G, L = Cg * a.S, c0 = (team.segment % a.G) * Cg;
  const T mu = a.mean[team.segment], istd = a.inv_std[team.segment];
  const T* x = a.x + team.segment * L;
  const T* dout = a.dout + team.segment * L;
  kern::SumPair<T> s = kern::SumPair<T>::identity();
  QuotRem cs(team.lane, team.width, a.S);
  for (int64_t k = team.lane; k < L; k += team.width, cs.advance()) {
    const T dxh = dout[k] * a.gamma[c0 + cs.q];
    s.add(dxh, dxh * (x[k] - mu) * istd);
  }
  s = team.reduce(s);
  T* dx = a.dx + team.segment * L;
  const T Lt = T(L);
  QuotRem cs2(team.lane, team.width, a.S);
  for (int64_t k = team.lane; k < L; k += team.width, cs2.advance()) {
    const T dxh = dout[k] * a.gamma[c0 + cs2.q];
    dx[k] = istd / Lt * (Lt * dxh - s.a - (x[k] - mu) * istd * s.b);
  }
}

// dgamma/dbeta per channel: element (n, c, s) is normalised with the
// statistics of its segment n*G + c/Cg.
template <class T>
struct PushGroupDoutXhat {
  const T *dout, *x, *mean, *inv_std;
  int64_t G, Cg;
  __device__ void operator()(kern::SumPair<T>& acc, int64_t i, int64_t n, int64_t c) const {
    const int64_t r = n * G + c / Cg;
    const T d = dout[i];
    acc.add(d, d * (x[i] - mean[r]) * inv_std[r]);
  }
};

// Launches kernel<T, true> (warp per segment) or kernel<T, false> (block
// per segment); `name` names the kernel.
template <class Args, class WarpKernel, class BlockKernel>
void launch_team(const char* name, const Args& a, WarpKernel warp_kernel, BlockKernel block_kernel) {
  const int64_t R = a.N * a.G, L = (a.C / a.G) * a.S;
  if (L <= kWarpMaxL) {
    constexpr int kPerBlock = kTeamBlock / kern::kWarpSize;
    launch(name, warp_kernel, static_cast<unsigned>(cuda::ceil_div(R, kPerBlock)), kTeamBlock, 0, a);
  } else {
    CONVLAB_CHECK(R <= 0x7fffffff, "group norm: too many segments (" << R << ")");
    launch(name, block_kernel, static_cast<unsigned>(R), L >= 16 * 1024 ? 512 : kTeamBlock, 0, a);
  }
}

}  // namespace

template <class T>
void group_forward_warp(const GroupForwardArgs<T>& a) {
  launch_team("group_forward_warp_kernel", a, group_forward_warp_kernel<T, true>, group_forward_warp_kernel<T, false>);
}

template <class T>
void group_backward_warp(const GroupBackwardArgs<T>& a) {
  launch_team("group_dx_warp_kernel", a, group_dx_warp_kernel<T, true>, group_dx_warp_kernel<T, false>);
  channel_reduce<kern::SumPair<T>>(a.N, a.C, a.S, PushGroupDoutXhat<T>{a.dout, a.x, a.mean, a.inv_std, a.G, a.C / a.G},
                                   FinishParamGrads<T>{a.dgamma, a.dbeta});
}

template void group_forward_warp<float>(const GroupForwardArgs<float>&);
template void group_forward_warp<double>(const GroupForwardArgs<double>&);
template void group_backward_warp<float>(const GroupBackwardArgs<float>&);
template void group_backward_warp<double>(const GroupBackwardArgs<double>&);

}  // namespace convlab::cuda
