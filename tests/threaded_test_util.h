// Helpers for the fast-CPU-vs-reference tests: random inputs in either
// dtype, the suite's norm-relative comparison (gpu_test_util.h),
// running a check under several thread counts, and the forward/backward
// check of an (x, w, b) layer op.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "gpu_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/common.h"
#include "host/tensor.h"
#include "host/threads.h"

namespace convlab::test {

// np.random.randn(*shape) * scale in dtype.
inline Tensor randn_as(NumpyRandom& rng, Shape shape, DType dt, double scale = 1.0) {
  return randn(rng, std::move(shape), DType::f64, scale).to(dt);
}

// Runs f(dtype) for float32 and float64, each with 1 thread and with 3
// (more threads than this machine may have cores, so blocks split unevenly),
// with uninitialised outputs poisoned (NaN) so an unwritten element fails.
inline void for_each_dtype_and_threads(const std::function<void(DType)>& f) {
  PoisonScope poison;
  for (DType dt : {DType::f32, DType::f64})
    for (int threads : {1, 3}) {
      SCOPED_TRACE(dtype_label(dt) + ", " + std::to_string(threads) + " threads");
      set_num_threads(threads);
      f(dt);
    }
  set_num_threads(0);
}

}  // namespace convlab::test

// The fast variant's result must match the reference's: norm-relative error
// below 1e-5 (float32) or 1e-12 (float64), the GPU variants' check.
#define EXPECT_FAST_MATCHES(fast, ref, dtype, what) EXPECT_GPU_MATCHES(fast, ref, dtype, what)

// A fast backward pass (float64) must match the centred-difference gradient:
// norm-relative error below 1e-7 (the difference quotient itself is good to ~1e-9).
#define EXPECT_GRAD_CLOSE(analytic, numeric, what)                                                    \
  do {                                                                                                \
    const double convlab_r_ = ::convlab::test::norm_rel_error((analytic), (numeric));                 \
    EXPECT_LT(convlab_r_, 1e-7) << (what) << ": relative error vs numerical gradient " << convlab_r_; \
  } while (0)

namespace convlab::test {

// A fast (x, w, b) layer op against its reference on one input set: forward
// out; backward dx, dw and db for a random dout (drawn from rng); and the
// backward without dx. forward(variant) runs the op's forward on the inputs;
// backward and backward_params are the op's (dout, cache, variant) functions.
template <class Forward, class Backward, class BackwardParams>
void expect_fast_layer_matches(NumpyRandom& rng, DType dt, const Shape& x_shape, Forward forward, Backward backward,
                               BackwardParams backward_params) {
  const auto ref = forward("reference");
  const auto fast = forward("threaded");
  ASSERT_EQ(fast.out.shape(), ref.out.shape());
  EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "out");
  const Tensor dout = randn_as(rng, ref.out.shape(), dt);
  const Grads gr = backward(dout, ref.cache, "reference");
  const Grads gf = backward(dout, fast.cache, "threaded");
  EXPECT_EQ(gf.dx.shape(), x_shape);
  EXPECT_FAST_MATCHES(gf.dx, gr.dx, dt, "dx");
  EXPECT_FAST_MATCHES(gf.dw, gr.dw, dt, "dw");
  EXPECT_FAST_MATCHES(gf.db, gr.db, dt, "db");
  // Without dx (a first layer): the same dw and db, no dx.
  const Grads gp = backward_params(dout, fast.cache, "threaded");
  EXPECT_PARAMS_ONLY_MATCHES(gp, gr, dt, "threaded");
}

}  // namespace convlab::test
