// affine: out = x.reshape(N, D) @ w + b, x of shape (N, d1, ..., dk), w (D, M), b (M,).
//
// Variants (host/ops/affine/affine_register.cpp; * = the device's default):
//   cpu/reference   host/ops/affine/affine_reference.cpp  loops over n, d, m
//   cpu/threaded *  host/ops/affine/affine_threaded.cpp   BLAS GEMM split over the threads
//   cuda/naive      kernels/affine/affine_naive.cu        one thread per output element
//   cuda/gemm *     kernels/affine/affine_gemm.cu         three cuBLAS GEMMs
//   cuda/gemm_tf32  kernels/affine/affine_gemm.cu         the same on tensor cores, TF32 operands (float32 only;
//                                                         MathPrecision::tf32, its default)
//   cuda/gemm_bf16  kernels/affine/affine_gemm.cu         the same, BF16 operands (MathPrecision::bf16, its default)
// Validation and output shape: affine_dims (host/ops/affine/affine_check.cpp).
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kAffineDefaultCpu = "threaded";
inline constexpr const char* kAffineDefaultCuda = "gemm";
inline constexpr const char* kAffineDefaultCudaTf32 = "gemm_tf32";
inline constexpr const char* kAffineDefaultCudaBf16 = "gemm_bf16";

struct AffineCache {
  Tensor x, w, b;
};

struct AffineImpl {
  static constexpr const char* name = "affine";
  static constexpr const char* header = "host/ops/affine/affine.h";
  Forward<AffineCache> (*forward)(const Tensor& x, const Tensor& w, const Tensor& b);
  // dx (shape of x; left undefined unless need_dx), dw, db.
  Grads (*backward)(const Tensor& dout, const AffineCache& cache, bool need_dx);
};

inline Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                           const std::string& variant = "") {
  return OpRegistry<AffineImpl>::get(x.device(), variant).forward(x, w, b);
}
inline Grads affine_backward(const Tensor& dout, const AffineCache& cache, const std::string& variant = "") {
  return OpRegistry<AffineImpl>::get(dout.device(), variant).backward(dout, cache, true);
}
// dw and db only (g.dx stays undefined), skipping the work of dx.
inline Grads affine_backward_params(const Tensor& dout, const AffineCache& cache, const std::string& variant = "") {
  return OpRegistry<AffineImpl>::get(dout.device(), variant).backward(dout, cache, false);
}

// Validates shapes; returns {N, D, M}.
struct AffineDims {
  int64_t N, D, M;
};
AffineDims affine_dims(const Tensor& x, const Tensor& w, const Tensor& b);

namespace ref {
Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b);
Grads affine_backward(const Tensor& dout, const AffineCache& cache, bool need_dx = true);
}  // namespace ref

namespace threaded {
Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b);
Grads affine_backward(const Tensor& dout, const AffineCache& cache, bool need_dx);
}  // namespace threaded

// Checks of a variant's arguments on `device`: one float dtype, valid shapes;
// backward's also dout (N, M).
AffineDims affine_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, Device device);
AffineDims affine_check_backward(const Tensor& dout, const AffineCache& cache, Device device);

namespace cuda {
Forward<AffineCache> affine_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b);  // affine_naive.cu
Grads affine_backward_naive(const Tensor& dout, const AffineCache& cache, bool need_dx);
Forward<AffineCache> affine_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b);  // affine_gemm.cu
Grads affine_backward_gemm(const Tensor& dout, const AffineCache& cache, bool need_dx);
Forward<AffineCache> affine_forward_gemm_tf32(const Tensor& x, const Tensor& w, const Tensor& b);
Grads affine_backward_gemm_tf32(const Tensor& dout, const AffineCache& cache, bool need_dx);
Forward<AffineCache> affine_forward_gemm_bf16(const Tensor& x, const Tensor& w, const Tensor& b);
Grads affine_backward_gemm_bf16(const Tensor& dout, const AffineCache& cache, bool need_dx);
}  // namespace cuda

}  // namespace convlab
