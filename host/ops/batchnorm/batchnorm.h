// batchnorm: (N, D): statistics per feature over the batch; running mean/var for test mode.
//
// Variants (host/ops/batchnorm/batchnorm_register.cpp; * = the device's default):
//   cpu/reference   host/ops/batchnorm/batchnorm_reference.cpp  cs231n's formulas, two passes
//   cpu/threaded *  host/ops/batchnorm/batchnorm_threaded.cpp   threads over blocks of features
//                                                               (norm/norm_threaded_common.cpp)
//   cuda/naive      kernels/batchnorm/batchnorm_cuda.cpp        kernels/norm/channel_naive.cu: one thread per feature
//   cuda/warp *     kernels/batchnorm/batchnorm_cuda.cpp        kernels/norm/channel_warp.cu: one-pass Welford,
//                                                               warp-shuffle reductions
// Synchronized over data-parallel ranks, on any variant: host/ops/norm/norm_sync.h.
// Shared parameters, cache and validation: host/ops/norm/.
#pragma once
#include "host/ops/norm/norm.h"

namespace convlab {

inline constexpr const char* kBatchNormDefaultCpu = "threaded";
inline constexpr const char* kBatchNormDefaultCuda = "warp";

struct BatchNormImpl {
  static constexpr const char* name = "batchnorm";
  static constexpr const char* header = "host/ops/batchnorm/batchnorm.h";
  BatchNormForwardFn* forward;
  NormBackwardFn* backward;
  NormBackwardFn* backward_alt;  // simplified closed form
};

inline Forward<NormCache> batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            BatchNormParam& param, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline NormGrads batchnorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(dout.device(), variant).backward(dout, cache);
}
inline NormGrads batchnorm_backward_alt(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(dout.device(), variant).backward_alt(dout, cache);
}

namespace ref {
BatchNormForwardFn batchnorm_forward;
NormBackwardFn batchnorm_backward, batchnorm_backward_alt;
}  // namespace ref

namespace threaded {
BatchNormForwardFn batchnorm_forward;
NormBackwardFn batchnorm_backward;
}  // namespace threaded

namespace cuda {  // kernels/batchnorm/batchnorm_cuda.cpp, on the shared kernels of kernels/norm/
BatchNormImpl batchnorm_naive();
BatchNormImpl batchnorm_warp();
}  // namespace cuda

}  // namespace convlab
