// Helpers of the GPU tests of the core ops: the registered CUDA variants of
// an op (to parametrise tests over every one) and short device transfers.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gpu_test_util.h"
#include "host/fill.h"
#include "host/ops/registry.h"

namespace convlab::test {

// Every CUDA variant registered for Impl that computes in its tensors' own
// precision (the names do not need a GPU); the reduced-precision ones (tf32,
// bf16 on tensor cores) have tests of their own, at their tolerances.
template <class Impl>
std::vector<std::string> cuda_variants(MathPrecision precision = MathPrecision::full) {
  std::vector<std::string> out;
  for (const auto& v : OpRegistry<Impl>::variants(Device::cuda))
    if (OpRegistry<Impl>::precision(Device::cuda, v) == precision) out.push_back(v);
  return out;
}

// The CUDA variants of Impl in a reduced precision (tf32 or bf16).
template <class Impl>
std::vector<std::string> cuda_reduced_precision_variants() {
  std::vector<std::string> out = cuda_variants<Impl>(MathPrecision::tf32);
  for (const auto& v : cuda_variants<Impl>(MathPrecision::bf16)) out.push_back(v);
  return out;
}

// A float32 value as a tensor core reads it after a kernel's rounding:
// tf32 (10 fraction bits) to nearest with ties away from zero (cvt.rna),
// bf16 (7 fraction bits) to nearest even.
inline double round_operand(double v, MathPrecision p) {
  const float f = static_cast<float>(v);
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if (p == MathPrecision::tf32) {
    u = (u + 0x1000u) & 0xffffe000u;
  } else {
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  }
  float r;
  std::memcpy(&r, &u, sizeof r);
  return r;
}

inline Tensor rounded(const Tensor& t, MathPrecision p) {
  std::vector<double> v = t.to_vector();
  for (double& e : v) e = round_operand(e, p);
  return Tensor::from_vector(v, t.shape(), DType::f64);
}

// Relative (norm) error bounds against the float64 reference on the float32
// inputs: a few units of the operands' rounding (tf32 2^-11, bf16 2^-8).
inline double reduced_precision_bound(MathPrecision p) { return p == MathPrecision::tf32 ? 2e-3 : 1.6e-2; }

inline std::string variant_test_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

inline Tensor gpu(const Tensor& t) { return t.to(Device::cuda); }

constexpr DType kBothDtypes[] = {DType::f32, DType::f64};

}  // namespace convlab::test

// Instantiates the value-parametrised suite `suite` once per CUDA variant of
// Impl. A build without CUDA registers none: there the suite's tests are
// compiled but have no instance (and are not listed).
#if CONVLAB_HAVE_CUDA
#define CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(suite, Impl)                                           \
  INSTANTIATE_TEST_SUITE_P(Cuda, suite, ::testing::ValuesIn(::convlab::test::cuda_variants<Impl>()), \
                           ::convlab::test::variant_test_name)
#else
#define CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(suite, Impl) GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite)
#endif
