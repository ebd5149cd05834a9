// spatial_groupnorm: (N, C, H, W): statistics per sample and group of C/G channels.
//
// Variants (host/ops/spatial_groupnorm/spatial_groupnorm_register.cpp; * = the device's default):
//   cpu/reference   host/ops/spatial_groupnorm/spatial_groupnorm_reference.cpp  cs231n's formulas, two passes
//   cpu/threaded *  host/ops/spatial_groupnorm/spatial_groupnorm_threaded.cpp   threads over blocks of samples
//                                                                               (norm/norm_threaded_common.cpp)
//   cuda/naive      kernels/spatial_groupnorm/spatial_groupnorm_cuda.cpp        kernels/norm/group_naive.cu:
//                                                                               one thread per segment
//   cuda/warp *     kernels/spatial_groupnorm/spatial_groupnorm_cuda.cpp        kernels/norm/group_warp.cu:
//                                                                               one-pass Welford, warp shuffles
// Shared parameters, cache and validation: host/ops/norm/.
#pragma once
#include "host/ops/norm/norm.h"

namespace convlab {

inline constexpr const char* kSpatialGroupNormDefaultCpu = "threaded";
inline constexpr const char* kSpatialGroupNormDefaultCuda = "warp";

struct SpatialGroupNormImpl {
  static constexpr const char* name = "spatial_groupnorm";
  static constexpr const char* header = "host/ops/spatial_groupnorm/spatial_groupnorm.h";
  GroupNormForwardFn* forward;
  NormBackwardFn* backward;
};

inline Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    const GroupNormParam& param, const std::string& variant = "") {
  return OpRegistry<SpatialGroupNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline NormGrads spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache,
                                            const std::string& variant = "") {
  return OpRegistry<SpatialGroupNormImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
GroupNormForwardFn spatial_groupnorm_forward;
NormBackwardFn spatial_groupnorm_backward;
}  // namespace ref

namespace threaded {
GroupNormForwardFn spatial_groupnorm_forward;
NormBackwardFn spatial_groupnorm_backward;
}  // namespace threaded

namespace cuda {  // kernels/spatial_groupnorm/spatial_groupnorm_cuda.cpp, on the shared kernels of kernels/norm/
SpatialGroupNormImpl spatial_groupnorm_naive();
SpatialGroupNormImpl spatial_groupnorm_warp();
}  // namespace cuda

}  // namespace convlab
