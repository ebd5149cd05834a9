// Helpers for CPU-vs-GPU tests: run a variant on the GPU with poisoned
// (NaN-filled) fresh allocations and compare with the CPU reference.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "host/tensor.h"
#include "test_util.h"

namespace convlab::test {

// ||a - b|| / ||b|| over all elements (both read on the host); NaN anywhere gives NaN.
inline double norm_rel_error(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector(), vb = b.to_vector();
  EXPECT_EQ(va.size(), vb.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < va.size() && i < vb.size(); ++i) {
    num += (va[i] - vb[i]) * (va[i] - vb[i]);
    den += vb[i] * vb[i];
  }
  if (std::isnan(num)) return num;
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

// ||a|| (read on the host).
inline double l2_norm(const Tensor& a) {
  double s = 0;
  for (double v : a.to_vector()) s += v * v;
  return std::sqrt(s);
}

// "float32" or "float64", for a check's message.
inline std::string dtype_label(DType dt) { return dt == DType::f32 ? "float32" : "float64"; }

// The tolerance the suite uses for a dtype: 1e-5 (float32), 1e-12 (float64).
inline double gpu_tolerance(DType dt) { return dt == DType::f32 ? 1e-5 : 1e-12; }

// Scope guard: poison every new device allocation while alive.
struct PoisonScope {
  PoisonScope() { set_poison_allocations(true); }
  ~PoisonScope() { set_poison_allocations(false); }
};

#define EXPECT_GPU_MATCHES(gpu, cpu, dtype, what)                                                                \
  do {                                                                                                           \
    const double convlab_e_ = ::convlab::test::norm_rel_error((gpu), (cpu));                                     \
    EXPECT_LT(convlab_e_, ::convlab::test::gpu_tolerance(dtype)) << (what) << ": relative error " << convlab_e_; \
  } while (0)

// A backward without dx (conv_backward_params, ...): dx left undefined, dw
// and db as the reference's (full backward) ones.
#define EXPECT_PARAMS_ONLY_MATCHES(g, ref, dtype, what)                                   \
  do {                                                                                    \
    EXPECT_FALSE((g).dx.defined()) << (what);                                             \
    EXPECT_GPU_MATCHES((g).dw, (ref).dw, dtype, std::string(what) + " dw (params only)"); \
    EXPECT_GPU_MATCHES((g).db, (ref).db, dtype, std::string(what) + " db (params only)"); \
  } while (0)

}  // namespace convlab::test
