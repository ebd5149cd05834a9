// The closed form's normal equations on the GPU (cuBLAS) against the CPU.
#include <gtest/gtest.h>

#include "gpu_test_util.h"
#include "host/fill.h"
#include "host/regression/linear_model.h"
#include "host/regression/normal_equations.h"

using namespace convlab;

TEST(HousingGpu, NormalEquationsMatchTheCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(11);
  const Tensor X = randn(rng, {300, 13});
  const Tensor yt = randn(rng, {300});
  const std::vector<double> y = yt.to_vector();
  for (bool intercept : {true, false}) {
    const NormalEquations c = normal_equations(X, y, intercept, Device::cpu);
    const NormalEquations g = normal_equations(X, y, intercept, Device::cuda);
    ASSERT_EQ(g.m, c.m);
    const int64_t m = c.m;
    EXPECT_GPU_MATCHES(Tensor::from_vector(g.G, {m, m}), Tensor::from_vector(c.G, {m, m}), DType::f64, "A^T A");
    EXPECT_GPU_MATCHES(Tensor::from_vector(g.r, {m}), Tensor::from_vector(c.r, {m}), DType::f64, "A^T y");
  }
  const LinearModel mc = fit_linear_regression(X, yt, true, Device::cpu);
  const LinearModel mg = fit_linear_regression(X, yt, true, Device::cuda);
  EXPECT_NEAR(mg.b, mc.b, 1e-12);
  for (int j = 0; j < 13; ++j) EXPECT_NEAR(mg.w[j], mc.w[j], 1e-12);
}
