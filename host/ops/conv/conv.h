// conv: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> out (N, F, H', W') with
// H' = 1 + (H + 2*pad - HH) / stride and W' = 1 + (W + 2*pad - WW) / stride
// (rounded down). Zero padding; cross-correlation as in cs231n.
//
// Variants (host/ops/conv/conv_register.cpp; * = the device's default):
//   cpu/reference   host/ops/conv/conv_reference.cpp  six nested loops
//   cpu/threaded *  host/ops/conv/conv_threaded.cpp   Winograd F(2x2, 3x3) on AVX-512 (conv_winograd.cpp: 3x3,
//                                                     stride 1, C >= 16, outputs of 2x2 and up but not 3x3;
//                                                     dw with 64 filters or more), direct AVX-512 kernels
//                                                     (conv_avx512.cpp: stride 1, F % 16 == 0, or 24, 40, ... padded to
//                                                     the next 16 when C HH WW >= 64), direct AVX2 kernels
//                                                     (conv_direct.cpp: F <= 32 or 5x5 and wider) or tiled im2col +
//                                                     GEMM (conv_image.cpp), threads over images
//   cuda/naive      kernels/conv/conv_naive.cu        one thread per output element
//   cuda/tiled      kernels/conv/conv_tiled.cu        shared-memory tiles (+ conv_tiled_backward.cu)
//   cuda/gemm *     kernels/conv/conv_gemm.cu         im2col (conv_im2col.cu) + cuBLAS GEMM
//   cuda/implicit_gemm       kernels/conv/conv_implicit_gemm.cu    three implicit GEMMs (forward, dx, dw;
//                                                     conv_implicit_gemm.cuh) on the tile engine of
//                                                     implicit_gemm.cuh: cp.async staging, FFMA, float and double
//   cuda/implicit_gemm_tf32  kernels/conv/conv_implicit_gemm_tc.cu the same on tensor cores, TF32 operands
//                                                     (float32 only; MathPrecision::tf32, its default)
//   cuda/implicit_gemm_bf16  kernels/conv/conv_implicit_gemm_tc.cu the same, BF16 operands (MathPrecision::bf16, its
//   default)
// Validation and output geometry: conv_dims (host/ops/conv/conv_check.cpp).
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kConvDefaultCpu = "threaded";
inline constexpr const char* kConvDefaultCuda = "gemm";
inline constexpr const char* kConvDefaultCudaTf32 = "implicit_gemm_tf32";
inline constexpr const char* kConvDefaultCudaBf16 = "implicit_gemm_bf16";

struct ConvParam {
  int stride = 1;
  int pad = 0;
};

struct ConvCache {
  Tensor x, w, b;
  ConvParam param;
};

struct ConvImpl {
  static constexpr const char* name = "conv";
  static constexpr const char* header = "host/ops/conv/conv.h";
  Forward<ConvCache> (*forward)(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
  // dx (left undefined unless need_dx), dw, db. A network's first layer
  // needs no dx: its input is data.
  Grads (*backward)(const Tensor& dout, const ConvCache& cache, bool need_dx);
};

inline Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param,
                                       const std::string& variant = "") {
  return OpRegistry<ConvImpl>::get(x.device(), variant).forward(x, w, b, param);
}
inline Grads conv_backward(const Tensor& dout, const ConvCache& cache, const std::string& variant = "") {
  return OpRegistry<ConvImpl>::get(dout.device(), variant).backward(dout, cache, true);
}
// dw and db only (g.dx stays undefined), skipping the work of dx.
inline Grads conv_backward_params(const Tensor& dout, const ConvCache& cache, const std::string& variant = "") {
  return OpRegistry<ConvImpl>::get(dout.device(), variant).backward(dout, cache, false);
}

// Validates shapes and parameters (clear errors); every variant calls it.
struct ConvDims {
  int64_t N, C, H, W, F, HH, WW, Hout, Wout;
  int stride, pad;
};
ConvDims conv_dims(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
// The same checks and output geometry on shapes alone: the one place conv's
// output size is computed (layers and benchmarks use it too).
ConvDims conv_dims(const Shape& x_shape, const Shape& w_shape, const ConvParam& param);

namespace ref {
Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward(const Tensor& dout, const ConvCache& cache, bool need_dx = true);
}  // namespace ref

namespace threaded {
Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward(const Tensor& dout, const ConvCache& cache, bool need_dx);
// Bound on each thread's im2col column tile, in elements (default 64 Ki): a
// tile holds as many whole images as fit, or else part of one image (at
// least 16 output positions). Returns the previous bound.
int64_t set_conv_workspace_elements(int64_t elements);
}  // namespace threaded

// Checks of a variant's arguments on `device`: one float dtype, valid shapes;
// backward's also dout (N, F, H', W').
ConvDims conv_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param, Device device);
ConvDims conv_check_backward(const Tensor& dout, const ConvCache& cache, Device device);

namespace cuda {
Forward<ConvCache> conv_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_naive(const Tensor& dout, const ConvCache& cache, bool need_dx);  // conv_naive.cu
Forward<ConvCache> conv_forward_tiled(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_tiled(const Tensor& dout, const ConvCache& cache, bool need_dx);  // conv_tiled*.cu
Forward<ConvCache> conv_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_gemm(const Tensor& dout, const ConvCache& cache, bool need_dx);  // conv_gemm.cu
// conv_implicit_gemm.cu
Forward<ConvCache> conv_forward_implicit_gemm(const Tensor& x, const Tensor& w, const Tensor& b,
                                              const ConvParam& param);
Grads conv_backward_implicit_gemm(const Tensor& dout, const ConvCache& cache, bool need_dx);
// conv_implicit_gemm_tc.cu
Forward<ConvCache> conv_forward_implicit_gemm_tf32(const Tensor& x, const Tensor& w, const Tensor& b,
                                                   const ConvParam& param);
Grads conv_backward_implicit_gemm_tf32(const Tensor& dout, const ConvCache& cache, bool need_dx);
Forward<ConvCache> conv_forward_implicit_gemm_bf16(const Tensor& x, const Tensor& w, const Tensor& b,
                                                   const ConvParam& param);
Grads conv_backward_implicit_gemm_bf16(const Tensor& dout, const ConvCache& cache, bool need_dx);
}  // namespace cuda

}  // namespace convlab
