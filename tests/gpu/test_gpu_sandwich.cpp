// The sandwich layers (conv_relu_pool, conv_relu, affine_relu) on the GPU,
// which dispatch to each op's default CUDA variant, against the same layers
// on the CPU reference: the path training takes on a GPU.
#include <gtest/gtest.h>

#include "gpu_core_test_util.h"
#include "host/ops/sandwich/sandwich.h"

using namespace convlab;
using namespace convlab::test;

TEST(SandwichGpu, ConvReluPoolMatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(61);
  for (DType dt : kBothDtypes) {
    Tensor x = randn(rng, {2, 3, 16, 16}, dt), w = randn(rng, {3, 3, 3, 3}, dt), b = randn(rng, {3}, dt);
    const ConvParam cp{1, 1};
    const PoolParam pp{2, 2, 2};
    auto cpu = conv_relu_pool_forward(x, w, b, cp, pp);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = conv_relu_pool_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = conv_relu_pool_forward(gpu(x), gpu(w), gpu(b), cp, pp);
    ASSERT_TRUE(dev.out.is_cuda());
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, std::string("out ") + dtype_label(dt));
    Grads g = conv_relu_pool_backward(gpu(dout), dev.cache);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, std::string("dx ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, std::string("dw ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, std::string("db ") + dtype_label(dt));
  }
}

TEST(SandwichGpu, ConvReluMatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(67);
  for (DType dt : kBothDtypes) {
    Tensor x = randn(rng, {2, 3, 8, 8}, dt), w = randn(rng, {3, 3, 3, 3}, dt), b = randn(rng, {3}, dt);
    const ConvParam cp{1, 1};
    auto cpu = conv_relu_forward(x, w, b, cp);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = conv_relu_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = conv_relu_forward(gpu(x), gpu(w), gpu(b), cp);
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, std::string("out ") + dtype_label(dt));
    Grads g = conv_relu_backward(gpu(dout), dev.cache);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, std::string("dx ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, std::string("dw ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, std::string("db ") + dtype_label(dt));
  }
}

TEST(SandwichGpu, AffineReluMatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(71);
  for (DType dt : kBothDtypes) {
    Tensor x = randn(rng, {2, 3, 4}, dt), w = randn(rng, {12, 10}, dt), b = randn(rng, {10}, dt);
    auto cpu = affine_relu_forward(x, w, b);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = affine_relu_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = affine_relu_forward(gpu(x), gpu(w), gpu(b));
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, std::string("out ") + dtype_label(dt));
    Grads g = affine_relu_backward(gpu(dout), dev.cache);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, std::string("dx ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, std::string("dw ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, std::string("db ") + dtype_label(dt));
  }
}
