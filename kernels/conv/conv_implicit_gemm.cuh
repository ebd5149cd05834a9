// conv as three implicit GEMMs (the tile engine: implicit_gemm.cuh), shared
// by the "implicit_gemm" variant (FFMA in float and double,
// conv_implicit_gemm.cu) and the tensor-core ones "implicit_gemm_tf32" and
// "implicit_gemm_bf16" (float32 tensors, conv_implicit_gemm_tc.cu). No
// im2col buffer: A and B are addressed in place, padding read as zeros.
//   forward  out (N Ho Wo x F) = im2col(x) (N Ho Wo x C R S) w^T (C R S x F) + b
//   dx       dx (N H W x C)    = taps of dout (N H W x F R S) w (F R S x C):
//            A (n h w, f r s) = dout[n, f, p, q] where h = p stride + r - pad
//            (and w likewise) has a whole p in range, else zero
//   dw       dw (F x C R S)    = dout (F x N Ho Wo) im2col(x) (N Ho Wo x C R S),
//            split along N Ho Wo when F x C R S alone gives too few blocks
// db is a per-channel sum of dout (channel_sum).
#pragma once
#include <algorithm>
#include <string>
#include <type_traits>

#include "kernels/conv/conv_common.cuh"
#include "kernels/conv/implicit_gemm.cuh"
#include "kernels/runtime/reductions.h"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

// conv's geometry in 32-bit ints (the launcher checks that every index fits).
struct ConvGeometry {
  int N, C, H, W, F, R, S, P, Q, stride, pad;

  // x[n, c, p stride + r - pad, q stride + s - pad]: the input under tap
  // crs = (c, r, s) of output pixel pq = (p, q) of image n; null in the padding.
  template <class T>
  __device__ const T* tap(const T* x, int n, int pq, int crs) const {
    const int rs = crs % (R * S), c = crs / (R * S);
    const int h = (pq / Q) * stride + rs / S - pad, w = (pq % Q) * stride + rs % S - pad;
    if (h < 0 || h >= H || w < 0 || w >= W) return nullptr;
    return x + ((static_cast<int64_t>(n) * C + c) * H + h) * W + w;
  }
};

template <class Tp>
struct ConvForwardProblem {
  using T = Tp;
  static constexpr bool kAContiguousM = true;  // consecutive m: consecutive output columns, x's columns
  const T *x, *w, *b;
  T* out;
  ConvGeometry g;
  int M, N, K;
  __device__ const T* a_at(int m, int k) const {
    return m < M && k < K ? g.tap(x, m / (g.P * g.Q), m % (g.P * g.Q), k) : nullptr;
  }
  __device__ const T* b_at(int k, int f) const {
    return k < K && f < N ? w + static_cast<int64_t>(f) * K + k : nullptr;
  }
  __device__ const T* any() const { return x; }
  template <class Acc>
  __device__ void store(int m, int f, Acc v, int) const {
    const int pq = m % (g.P * g.Q), n = m / (g.P * g.Q);
    out[(static_cast<int64_t>(n) * g.F + f) * g.P * g.Q + pq] = static_cast<T>(v) + b[f];
  }
};

template <class Tp>
struct ConvDxProblem {
  using T = Tp;
  static constexpr bool kAContiguousM = true;  // consecutive m: consecutive input columns, dout's columns
  const T *dout, *w;
  T* dx;
  ConvGeometry g;
  int M, N, K;
  __device__ const T* a_at(int m, int k) const {
    if (m >= M || k >= K) return nullptr;
    const int hw = m % (g.H * g.W), n = m / (g.H * g.W), rs = k % (g.R * g.S), f = k / (g.R * g.S);
    const int hp = hw / g.W + g.pad - rs / g.S, wp = hw % g.W + g.pad - rs % g.S;
    if (hp < 0 || wp < 0 || hp % g.stride || wp % g.stride) return nullptr;
    const int p = hp / g.stride, q = wp / g.stride;
    if (p >= g.P || q >= g.Q) return nullptr;
    return dout + ((static_cast<int64_t>(n) * g.F + f) * g.P + p) * g.Q + q;
  }
  __device__ const T* b_at(int k, int c) const {
    if (k >= K || c >= N) return nullptr;
    const int rs = k % (g.R * g.S), f = k / (g.R * g.S);
    return w + (static_cast<int64_t>(f) * g.C + c) * g.R * g.S + rs;
  }
  __device__ const T* any() const { return dout; }
  template <class Acc>
  __device__ void store(int m, int c, Acc v, int) const {
    const int hw = m % (g.H * g.W), n = m / (g.H * g.W);
    dx[(static_cast<int64_t>(n) * g.C + c) * g.H * g.W + hw] = static_cast<T>(v);
  }
};

template <class Tp>
struct ConvDwProblem {
  using T = Tp;
  static constexpr bool kAContiguousM = false;  // consecutive k: consecutive dout columns
  const T *dout, *x;
  T* dw;  // F x C R S, or `splits` such slices to be summed
  ConvGeometry g;
  int M, N, K;
  __device__ const T* a_at(int f, int k) const {
    if (f >= M || k >= K) return nullptr;
    const int pq = k % (g.P * g.Q), n = k / (g.P * g.Q);
    return dout + (static_cast<int64_t>(n) * g.F + f) * g.P * g.Q + pq;
  }
  __device__ const T* b_at(int k, int crs) const {
    return k < K && crs < N ? g.tap(x, k / (g.P * g.Q), k % (g.P * g.Q), crs) : nullptr;
  }
  __device__ const T* any() const { return x; }
  template <class Acc>
  __device__ void store(int f, int crs, Acc v, int split) const {
    dw[(static_cast<int64_t>(split) * M + f) * N + crs] = static_cast<T>(v);
  }
};

// out[i] = sum over s < splits of parts[s * n + i], in order (deterministic).
template <class T>
__global__ void sum_splits_kernel(const T* __restrict__ parts, int64_t n, int splits, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) {
    T s = parts[i];
    for (int k = 1; k < splits; ++k) s += parts[k * n + i];
    out[i] = s;
  }
}

// The geometry, after checking that every index of the three GEMMs fits an int.
inline ConvGeometry conv_geometry(const ConvDims& d, const char* op) {
  const int64_t biggest = std::max({d.N * d.C * d.H * d.W, d.N * d.F * d.Hout * d.Wout, d.F * d.C * d.HH * d.WW,
                                    d.C * d.HH * d.WW * d.Hout * d.Wout * d.N});
  CONVLAB_CHECK(biggest < (int64_t{1} << 31), op << ": tensors or GEMM sizes of 2^31 elements or more (largest "
                                                 << biggest << ") need another variant");
  auto i = [](int64_t v) { return static_cast<int>(v); };
  return {i(d.N), i(d.C), i(d.H), i(d.W), i(d.F), i(d.HH), i(d.WW), i(d.Hout), i(d.Wout), d.stride, d.pad};
}

// Splits of dw's reduction: enough blocks for two waves of the device,
// at least 8 K tiles (128 products) per split, at most 64 splits.
inline int conv_dw_splits(int M, int N, int K) {
  const int64_t tiles = ceil_div(M, igemm::kBM) * ceil_div(N, igemm::kBN);
  const int64_t want = ceil_div(2 * sm_count(), tiles), most = ceil_div(K, igemm::kBK) / 8;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>({want, most, 64})));
}

template <class Math, class T>
void conv_forward_implicit_gemm_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out,
                                       const char* name) {
  const ConvGeometry g = conv_geometry(d, name);
  const ConvForwardProblem<T> p{x, w, b, out, g, g.N * g.P * g.Q, g.F, g.C * g.R * g.S};
  igemm::run<Math>(name, p);
}

template <class Math, class T>
void conv_backward_implicit_gemm_launch(const T* dout, const T* x, const T* w, const ConvDims& d, T* dx, T* dw, T* db,
                                        const char* name) {
  const ConvGeometry g = conv_geometry(d, name);
  if (dx) igemm::run<Math>(name, ConvDxProblem<T>{dout, w, dx, g, g.N * g.H * g.W, g.C, g.F * g.R * g.S});
  const int M = g.F, N = g.C * g.R * g.S, K = g.N * g.P * g.Q, splits = conv_dw_splits(M, N, K);
  T* parts = splits > 1 ? workspace_as<T>(static_cast<std::size_t>(splits) * M * N) : dw;
  igemm::run<Math>(name, ConvDwProblem<T>{dout, x, parts, g, M, N, K}, splits);
  if (splits > 1)
    launch_n("sum_splits_kernel", int64_t{M} * N, sum_splits_kernel<T>, parts, int64_t{M} * N, splits, dw);
  channel_sum(dout, d.N, d.F, d.Hout * d.Wout, db);
}

// The variant's entry points for a Math policy; a tensor-core policy takes
// float32 only (tf32 and bf16 are float32's reduced-precision modes).
template <class Math>
struct ConvImplicitGemm {
  static constexpr bool kFloatOnly = Math::kPrecision != MathPrecision::full;
  template <class T>
  static void check_dtype(const char* name) {
    require_math_precision(name, Math::kPrecision, std::is_same_v<T, float>);
    if (!kFloatOnly) require_tensor_cores(name);  // cp.async
  }
  template <class T>
  using MathFor = std::conditional_t<kFloatOnly, Math, igemm::Ffma<T>>;

  static Forward<ConvCache> forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param,
                                    const char* name) {
    return conv_forward_run(x, w, b, param,
                            [name](const auto* x, const auto* w, const auto* b, const ConvDims& d, auto* out) {
                              using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
                              check_dtype<T>(name);
                              if constexpr (!kFloatOnly || std::is_same_v<T, float>)
                                conv_forward_implicit_gemm_launch<MathFor<T>>(x, w, b, d, out, name);
                            });
  }
  static Grads backward(const Tensor& dout, const ConvCache& cache, bool need_dx, const char* name) {
    return conv_backward_run(
        dout, cache, need_dx,
        [name](const auto* dout, const auto* x, const auto* w, const ConvDims& d, auto* dx, auto* dw, auto* db) {
          using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
          check_dtype<T>(name);
          if constexpr (!kFloatOnly || std::is_same_v<T, float>)
            conv_backward_implicit_gemm_launch<MathFor<T>>(dout, x, w, d, dx, dw, db, name);
        });
  }
};

}  // namespace convlab::cuda
