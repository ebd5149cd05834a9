// Thread-count control of the CPU ops (host/threads.h) and the CPU defaults.
#include <gtest/gtest.h>

#include "host/ops/conv/conv.h"
#include "host/threads.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

TEST(CpuThreads, SetAndGet) {
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
#ifdef _OPENMP
  set_num_threads(3);
  EXPECT_EQ(get_num_threads(), 3);
#endif
  set_num_threads(0);  // back to one per core
  EXPECT_EQ(get_num_threads(), hardware_threads());
  EXPECT_GE(hardware_threads(), 1);
}

TEST(CpuThreads, ResultsDoNotDependOnTheThreadCount) {
  NumpyRandom rng(17);
  Tensor x = randn(rng, {6, 3, 12, 10}, DType::f32), w = randn(rng, {5, 3, 3, 3}, DType::f32);
  Tensor b = randn(rng, {5}, DType::f32);
  set_num_threads(1);
  Tensor one = conv_forward(x, w, b, ConvParam{1, 1}, "threaded").out;
  set_num_threads(4);
  Tensor four = conv_forward(x, w, b, ConvParam{1, 1}, "threaded").out;
  set_num_threads(0);
  EXPECT_LT(norm_rel_error(four, one), 1e-6);
}
