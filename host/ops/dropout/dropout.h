// dropout (inverted): in train mode each element is kept with probability p
// and scaled by 1/p; in test mode the input passes through unchanged.
// The mask is a function of (seed, element index) only: see counter_rng.h.
//
// Variants (host/ops/dropout/dropout_register.cpp; * = the device's default):
//   cpu/reference *  host/ops/dropout/dropout_reference.cpp  one loop (dropout_mask.h)
//   cuda/naive *     kernels/dropout/dropout_naive.cu        one thread per element, the same mask
// Validation: check_dropout_param (host/ops/dropout/dropout_check.cpp).
#pragma once
#include <cstdint>

#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kDropoutDefaultCpu = "reference";
inline constexpr const char* kDropoutDefaultCuda = "naive";

struct DropoutParam {
  Mode mode = Mode::train;
  double p = 0.5;     // keep probability, 0 < p <= 1
  uint64_t seed = 0;  // the solver advances it every step
};

struct DropoutCache {
  Tensor mask;  // dtype of x: 0 or 1/p in train mode; empty in test mode
  DropoutParam param;
};

struct DropoutImpl {
  static constexpr const char* name = "dropout";
  static constexpr const char* header = "host/ops/dropout/dropout.h";
  Forward<DropoutCache> (*forward)(const Tensor& x, const DropoutParam& param);
  Tensor (*backward)(const Tensor& dout, const DropoutCache& cache);
};

inline Forward<DropoutCache> dropout_forward(const Tensor& x, const DropoutParam& param,
                                             const std::string& variant = "") {
  return OpRegistry<DropoutImpl>::get(x.device(), variant).forward(x, param);
}
inline Tensor dropout_backward(const Tensor& dout, const DropoutCache& cache, const std::string& variant = "") {
  return OpRegistry<DropoutImpl>::get(dout.device(), variant).backward(dout, cache);
}

void check_dropout_param(const DropoutParam& param);

namespace ref {
Forward<DropoutCache> dropout_forward(const Tensor& x, const DropoutParam& param);
Tensor dropout_backward(const Tensor& dout, const DropoutCache& cache);
}  // namespace ref

namespace cuda {  // kernels/dropout/dropout_naive.cu
Forward<DropoutCache> dropout_forward_naive(const Tensor& x, const DropoutParam& param);
Tensor dropout_backward_naive(const Tensor& dout, const DropoutCache& cache);
}  // namespace cuda

}  // namespace convlab
