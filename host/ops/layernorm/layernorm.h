// layernorm: (N, D): statistics per sample over its D features.
//
// Variants (host/ops/layernorm/layernorm_register.cpp; * = the device's default):
//   cpu/reference   host/ops/layernorm/layernorm_reference.cpp  cs231n's formulas, two passes
//   cpu/threaded *  host/ops/layernorm/layernorm_threaded.cpp   threads over blocks of samples
//                                                               (norm/norm_threaded_common.cpp)
//   cuda/naive      kernels/layernorm/layernorm_cuda.cpp        kernels/norm/group_naive.cu: one thread per segment
//   cuda/warp *     kernels/layernorm/layernorm_cuda.cpp        kernels/norm/group_warp.cu: one-pass Welford,
//                                                               warp-shuffle reductions
// Shared parameters, cache and validation: host/ops/norm/.
#pragma once
#include "host/ops/norm/norm.h"

namespace convlab {

inline constexpr const char* kLayerNormDefaultCpu = "threaded";
inline constexpr const char* kLayerNormDefaultCuda = "warp";

struct LayerNormImpl {
  static constexpr const char* name = "layernorm";
  static constexpr const char* header = "host/ops/layernorm/layernorm.h";
  LayerNormForwardFn* forward;
  NormBackwardFn* backward;
};

inline Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            const LayerNormParam& param, const std::string& variant = "") {
  return OpRegistry<LayerNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline NormGrads layernorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<LayerNormImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
LayerNormForwardFn layernorm_forward;
NormBackwardFn layernorm_backward;
}  // namespace ref

namespace threaded {
LayerNormForwardFn layernorm_forward;
NormBackwardFn layernorm_backward;
}  // namespace threaded

namespace cuda {  // kernels/layernorm/layernorm_cuda.cpp, on the shared kernels of kernels/norm/
LayerNormImpl layernorm_naive();
LayerNormImpl layernorm_warp();
}  // namespace cuda

}  // namespace convlab
