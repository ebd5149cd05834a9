// Work counts of each op, for GFLOP/s and GB/s columns.
//
// FLOPs: one multiply-add counts 2. conv forward 2*N*F*C*HH*WW*H'*W'; conv
// backward computes dx and dw, each as many as the forward (db is ignored).
// affine forward 2*N*D*M, backward 4*N*D*M (dx and dw).
// Bytes: the fewest a pass must move through memory: every input read once and
// every output written once (float32 unless elem_bytes says otherwise);
// per-feature vectors (gamma, running statistics) are counted too.
#pragma once
#include <cstdint>

#include "host/ops/conv/conv.h"

namespace convlab::bench {

struct Work {
  double flops = 0;  // 0: not a FLOP-bound op, rate in GB/s instead
  double bytes = 0;
};

// d: conv's geometry (conv_dims in host/ops/conv/conv.h).
inline double conv_forward_flops(const ConvDims& d) {
  return 2.0 * static_cast<double>(d.N * d.F * d.C * d.HH * d.WW) * static_cast<double>(d.Hout * d.Wout);
}
inline double conv_backward_flops(const ConvDims& d) { return 2.0 * conv_forward_flops(d); }

inline double affine_forward_flops(int64_t N, int64_t D, int64_t M) { return 2.0 * static_cast<double>(N * D * M); }
inline double affine_backward_flops(int64_t N, int64_t D, int64_t M) { return 2.0 * affine_forward_flops(N, D, M); }

// Bytes of `elements` values of `elem_bytes` each.
inline double bytes_of(int64_t elements, int elem_bytes = 4) {
  return static_cast<double>(elements) * static_cast<double>(elem_bytes);
}

// max_pool over x (N*C*H*W elements) to out (N*C*Ho*Wo): forward reads x and
// writes out; backward reads dout and x (to find each window's maximum) and writes dx.
inline double pool_forward_bytes(int64_t x_elems, int64_t out_elems) { return bytes_of(x_elems + out_elems); }
inline double pool_backward_bytes(int64_t x_elems, int64_t out_elems) { return bytes_of(2 * x_elems + out_elems); }

// Elementwise op over n values: forward reads x, writes out; backward reads dout and x, writes dx.
inline double elementwise_forward_bytes(int64_t n) { return bytes_of(2 * n); }
inline double elementwise_backward_bytes(int64_t n) { return bytes_of(3 * n); }

// Dropout keeps a mask of x's dtype: forward reads x, writes out and mask;
// backward reads dout and mask, writes dx.
inline double dropout_forward_bytes(int64_t n) { return bytes_of(3 * n); }
inline double dropout_backward_bytes(int64_t n) { return bytes_of(3 * n); }

// Normalisation over n values with `features` per-feature parameters
// (gamma, beta) and `groups` saved statistics (mean, 1/std): forward reads x,
// gamma, beta, writes out, mean, inv_std (+ running mean/var for batchnorm);
// backward reads dout, x, gamma, mean, inv_std, writes dx, dgamma, dbeta.
inline double norm_forward_bytes(int64_t n, int64_t features, int64_t groups, bool running_stats) {
  return bytes_of(2 * n + 2 * features + 2 * groups + (running_stats ? 4 * features : 0));
}
inline double norm_backward_bytes(int64_t n, int64_t features, int64_t groups) {
  return bytes_of(3 * n + 3 * features + 2 * groups);
}

// Loss over scores (N, C) and int32 labels: reads x and y, writes dx and the loss.
inline double loss_bytes(int64_t N, int64_t C) { return bytes_of(2 * N * C + N + 1); }

// Update rule over n parameter values: state tensors per rule (sgd 0,
// sgd_momentum 1, rmsprop 1, adam 2); reads w, dw and the state, writes w and the state.
inline double optim_bytes(int64_t n, int state_tensors) { return bytes_of(n * (3 + 2 * state_tensors)); }

}  // namespace convlab::bench
