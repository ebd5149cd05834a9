// conv, "gemm" variant: im2col + cuBLAS. Images are processed in chunks
// whose col matrices fit a reused workspace; per image the forward pass is
// out (F x P) = w (F x K) * col (K x P), one strided-batched GEMM per chunk.
// Backward per chunk: dw += dout_n (F x P) * col_n^T, then
// dcol = w^T (K x F) * dout_n (batched) and col2im gathers dcol into dx;
// db is a per-channel reduction of dout.
#include <algorithm>

#include "kernels/conv/conv_common.cuh"
#include "kernels/conv/conv_im2col.h"
#include "kernels/runtime/cublas.h"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reductions.h"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

namespace {

constexpr std::size_t kColBudgetBytes = std::size_t(256) << 20;  // workspace for one chunk's col matrices

// Images per chunk so that nb * K * P elements of T fit the budget (at least 1).
template <class T>
int64_t images_per_chunk(const ConvDims& d) {
  const std::size_t per_image = static_cast<std::size_t>(d.C * d.HH * d.WW * d.Hout * d.Wout) * sizeof(T);
  return std::max<int64_t>(
      1, std::min<int64_t>(d.N, static_cast<int64_t>(kColBudgetBytes / std::max<std::size_t>(per_image, 1))));
}

}  // namespace

// out[n, f, p] = b[f]: thread per element, coalesced writes.
template <class T>
__global__ void conv_bias_fill_kernel(const T* __restrict__ b, int64_t N, int64_t F, int64_t P, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, N * F * P) out[i] = b[(i / P) % F];
}

template <class T>
void conv_forward_gemm_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  if (d.N * d.F * P == 0) return;
  launch_n("conv_bias_fill_kernel", d.N * d.F * P, conv_bias_fill_kernel<T>, b, d.N, d.F, P, out);
  const int64_t nb_max = images_per_chunk<T>(d);
  T* col = workspace_as<T>(static_cast<std::size_t>(nb_max * K * P));
  for (int64_t n0 = 0; n0 < d.N; n0 += nb_max) {
    const int64_t nb = std::min(nb_max, d.N - n0);
    im2col(x, d, n0, nb, col);
    // out_n += w * col_n for each image of the chunk (w shared: stride 0).
    gemm_row_major_batched<T>(false, false, d.F, P, K, T(1), w, K, 0, col, P, K * P, T(1), out + n0 * d.F * P, P,
                              d.F * P, nb);
  }
}

template <class T>
void conv_backward_gemm_launch(const T* dout, const T* x, const T* w, const ConvDims& d, T* dx, T* dw, T* db) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  const int64_t nb_max = images_per_chunk<T>(d);
  T* col = workspace_as<T>(static_cast<std::size_t>(nb_max * K * P));
  for (int64_t n0 = 0; n0 < d.N; n0 += nb_max) {
    const int64_t nb = std::min(nb_max, d.N - n0);
    im2col(x, d, n0, nb, col);
    for (int64_t nl = 0; nl < nb; ++nl) {  // dw (F x K) (+)= dout_n (F x P) * col_n^T (P x K)
      const T beta = (n0 + nl == 0) ? T(0) : T(1);
      gemm_row_major<T>(false, true, d.F, K, P, T(1), dout + (n0 + nl) * d.F * P, P, col + nl * K * P, P, beta, dw, K);
    }
    if (!dx) continue;
    // dcol_n (K x P) = w^T (K x F) * dout_n (F x P), overwriting col (ordered after the dw GEMMs).
    gemm_row_major_batched<T>(true, false, K, P, d.F, T(1), w, K, 0, dout + n0 * d.F * P, P, d.F * P, T(0), col, P,
                              K * P, nb);
    col2im(col, d, n0, nb, dx);
  }
  channel_sum(dout, d.N, d.F, P, db);
}

Forward<ConvCache> conv_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  return conv_forward_run(x, w, b, param, [](auto... a) { conv_forward_gemm_launch(a...); });
}

Grads conv_backward_gemm(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return conv_backward_run(dout, cache, need_dx, [](auto... a) { conv_backward_gemm_launch(a...); });
}

}  // namespace convlab::cuda
