// Shared checks of the fast CPU normalisation ops against their reference:
// forward output and cache statistics, backward gradients, and numerical
// gradients of x, gamma and beta through the fast variant.
#pragma once
#include <functional>

#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "threaded_test_util.h"

namespace convlab::test {

using NormForwardFn = std::function<Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                       const std::string& variant)>;
using NormBackwardFn = std::function<NormGrads(const Tensor& dout, const NormCache& cache, const std::string& variant)>;

// x of `shape` (scaled and shifted away from 0 like the notebooks), gamma and
// beta of `channels` entries; compares fast against reference.
inline void expect_norm_matches(const NormForwardFn& fwd, const NormBackwardFn& bwd, const Shape& shape,
                                int64_t channels, DType dt, uint32_t seed) {
  SCOPED_TRACE("x " + shape_str(shape));
  NumpyRandom rng(seed);
  Tensor x = randn_as(rng, shape, DType::f64, 4.0);
  for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, x.item(i) + 10.0);
  x = x.to(dt);
  Tensor gamma = randn_as(rng, {channels}, dt), beta = randn_as(rng, {channels}, dt);
  auto ref = fwd(x, gamma, beta, "reference");
  auto fast = fwd(x, gamma, beta, "threaded");
  EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "out");
  EXPECT_FAST_MATCHES(fast.cache.mean, ref.cache.mean, dt, "cache.mean");
  EXPECT_FAST_MATCHES(fast.cache.inv_std, ref.cache.inv_std, dt, "cache.inv_std");
  EXPECT_EQ(fast.cache.groups, ref.cache.groups);
  EXPECT_EQ(fast.cache.mode, ref.cache.mode);
  Tensor dout = randn_as(rng, shape, dt);
  NormGrads gr = bwd(dout, ref.cache, "reference");
  NormGrads gf = bwd(dout, fast.cache, "threaded");
  EXPECT_FAST_MATCHES(gf.dx, gr.dx, dt, "dx");
  EXPECT_FAST_MATCHES(gf.dgamma, gr.dgamma, dt, "dgamma");
  EXPECT_FAST_MATCHES(gf.dbeta, gr.dbeta, dt, "dbeta");
}

// Numerical gradients (float64) of the fast variant's output.
inline void expect_norm_gradients(const NormForwardFn& fwd, const NormBackwardFn& bwd, const Shape& shape,
                                  int64_t channels) {
  SCOPED_TRACE("gradient check, x " + shape_str(shape));
  NumpyRandom rng(231);
  Tensor x = randn(rng, shape, DType::f64, 2.0);
  Tensor gamma = randn(rng, {channels}), beta = randn(rng, {channels});
  Tensor dout = randn(rng, shape);
  auto f = fwd(x, gamma, beta, "threaded");
  NormGrads g = bwd(dout, f.cache, "threaded");
  EXPECT_GRAD_CLOSE(
      g.dx,
      eval_numerical_gradient_array([&](const Tensor& v) { return fwd(v, gamma, beta, "threaded").out; }, x, dout),
      "dx");
  EXPECT_GRAD_CLOSE(
      g.dgamma,
      eval_numerical_gradient_array([&](const Tensor& v) { return fwd(x, v, beta, "threaded").out; }, gamma, dout),
      "dgamma");
  EXPECT_GRAD_CLOSE(
      g.dbeta,
      eval_numerical_gradient_array([&](const Tensor& v) { return fwd(x, gamma, v, "threaded").out; }, beta, dout),
      "dbeta");
}

}  // namespace convlab::test
