// max_pool: x (N, C, H, W) -> out (N, C, H', W'), H' = 1 + (H - pool_height) / stride,
// W' = 1 + (W - pool_width) / stride. Windows may overlap (stride < pool size);
// in backward the gradient goes to the first maximum of each window (row-major).
//
// Variants (host/ops/max_pool/max_pool_register.cpp; * = the device's default):
//   cpu/reference   host/ops/max_pool/max_pool_reference.cpp  loops over windows
//   cpu/threaded *  host/ops/max_pool/max_pool_threaded.cpp   planes over threads (pool_planes.cpp), argmax kept
//   cuda/naive      kernels/max_pool/max_pool_naive.cu        backward recomputes each window's maximum
//   cuda/argmax *   kernels/max_pool/max_pool_argmax.cu       forward keeps the argmax, backward gathers through it
// Validation and output geometry: pool_dims (host/ops/max_pool/max_pool_check.cpp).
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kMaxPoolDefaultCpu = "threaded";
inline constexpr const char* kMaxPoolDefaultCuda = "argmax";

struct PoolParam {
  int pool_height = 2;
  int pool_width = 2;
  int stride = 2;
};

struct PoolCache {
  Tensor x;
  PoolParam param;
  Tensor argmax;  // optional (int32, shape of out): flat index in the H*W plane, kept by variants that want it
};

struct MaxPoolImpl {
  static constexpr const char* name = "max_pool";
  static constexpr const char* header = "host/ops/max_pool/max_pool.h";
  Forward<PoolCache> (*forward)(const Tensor& x, const PoolParam& param);
  Tensor (*backward)(const Tensor& dout, const PoolCache& cache);
};

inline Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param, const std::string& variant = "") {
  return OpRegistry<MaxPoolImpl>::get(x.device(), variant).forward(x, param);
}
inline Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache, const std::string& variant = "") {
  return OpRegistry<MaxPoolImpl>::get(dout.device(), variant).backward(dout, cache);
}

struct PoolDims {
  int64_t N, C, H, W, Hout, Wout;
  int ph, pw, stride;
};
PoolDims pool_dims(const Tensor& x, const PoolParam& param);
// The same checks and output geometry on a shape alone: the one place the
// pooled size is computed (layers, benchmarks and the cuDNN baseline use it too).
PoolDims pool_dims(const Shape& x_shape, const PoolParam& param);

namespace ref {
Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param);
Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache);
}  // namespace ref

namespace threaded {
Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param);
Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache);
}  // namespace threaded

// Checks of a variant's arguments on `device` (one float dtype, valid shapes;
// the H*W plane must fit an int32 argmax): forward's, and
// backward's (dout of the output's shape).
PoolDims max_pool_check_forward(const Tensor& x, const PoolParam& param, Device device);
PoolDims max_pool_check_backward(const Tensor& dout, const PoolCache& cache, Device device);

namespace cuda {
Forward<PoolCache> max_pool_forward_naive(const Tensor& x, const PoolParam& param);  // max_pool_naive.cu
Tensor max_pool_backward_naive(const Tensor& dout, const PoolCache& cache);
Forward<PoolCache> max_pool_forward_argmax(const Tensor& x, const PoolParam& param);  // max_pool_argmax.cu
Tensor max_pool_backward_argmax(const Tensor& dout, const PoolCache& cache);
}  // namespace cuda

}  // namespace convlab
