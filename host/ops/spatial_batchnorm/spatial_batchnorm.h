// spatial_batchnorm: (N, C, H, W): batchnorm per channel over N, H and W.
//
// Variants (host/ops/spatial_batchnorm/spatial_batchnorm_register.cpp; * = the device's default):
//   cpu/reference   host/ops/spatial_batchnorm/spatial_batchnorm_reference.cpp  cs231n's formulas, two passes
//   cpu/threaded *  host/ops/spatial_batchnorm/spatial_batchnorm_threaded.cpp   threads over blocks of channels
//                                                                               (norm/norm_threaded_common.cpp)
//   cuda/naive      kernels/spatial_batchnorm/spatial_batchnorm_cuda.cpp        kernels/norm/channel_naive.cu:
//                                                                               one thread per channel
//   cuda/warp *     kernels/spatial_batchnorm/spatial_batchnorm_cuda.cpp        kernels/norm/channel_warp.cu:
//                                                                               one-pass Welford, warp shuffles
// Synchronized over data-parallel ranks, on any variant: host/ops/norm/norm_sync.h.
// Shared parameters, cache and validation: host/ops/norm/.
#pragma once
#include "host/ops/norm/norm.h"

namespace convlab {

inline constexpr const char* kSpatialBatchNormDefaultCpu = "threaded";
inline constexpr const char* kSpatialBatchNormDefaultCuda = "warp";

struct SpatialBatchNormImpl {
  static constexpr const char* name = "spatial_batchnorm";
  static constexpr const char* header = "host/ops/spatial_batchnorm/spatial_batchnorm.h";
  BatchNormForwardFn* forward;
  NormBackwardFn* backward;
};

inline Forward<NormCache> spatial_batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    BatchNormParam& param, const std::string& variant = "") {
  return OpRegistry<SpatialBatchNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline NormGrads spatial_batchnorm_backward(const Tensor& dout, const NormCache& cache,
                                            const std::string& variant = "") {
  return OpRegistry<SpatialBatchNormImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
BatchNormForwardFn spatial_batchnorm_forward;
NormBackwardFn spatial_batchnorm_backward;
}  // namespace ref

namespace threaded {
BatchNormForwardFn spatial_batchnorm_forward;
NormBackwardFn spatial_batchnorm_backward;
}  // namespace threaded

namespace cuda {  // kernels/spatial_batchnorm/spatial_batchnorm_cuda.cpp, on the shared kernels of kernels/norm/
SpatialBatchNormImpl spatial_batchnorm_naive();
SpatialBatchNormImpl spatial_batchnorm_warp();
}  // namespace cuda

}  // namespace convlab
