// The NCCL backend (host/dist/nccl_communicator.h) on one GPU: a one-rank NCCL
// communicator over this process (NCCL runs one rank per GPU, so a machine
// with one GPU tests one rank; several ranks need several GPUs): NCCL's
// set-up, its all-reduce and broadcast on GPU buffers of every dtype, and
// host buffers handed to the host communicator. Compiled in every CUDA build;
// skipped without NCCL or without a GPU.
#include <gtest/gtest.h>

#include "gpu_test_util.h"
#include "host/dist/nccl_communicator.h"

using namespace convlab;

TEST(NcclCommunicator, OneRankOnTheGpu) {
  if (!dist::nccl_available()) GTEST_SKIP() << "this build has no NCCL";
  CONVLAB_REQUIRE_GPU();
  std::unique_ptr<dist::Communicator> nccl = dist::make_nccl_communicator(dist::world());
  EXPECT_STREQ(nccl->backend(), "nccl");
  EXPECT_EQ(nccl->size(), 1);
  EXPECT_EQ(nccl->rank(), 0);

  for (DType dt : {DType::f32, DType::f64, DType::i32}) {
    const Tensor host = Tensor::from_vector({1, -2, 3, 40000}, {4}, DType::f64).to(dt);
    Tensor gpu = host.to(Device::cuda);
    EXPECT_TRUE(nccl->all_reduce_sum_gpu(gpu.raw(), gpu.numel(), dt)) << dtype_name(dt);
    EXPECT_TRUE(nccl->broadcast_gpu(gpu.raw(), gpu.nbytes(), 0)) << dtype_name(dt);
    EXPECT_EQ(gpu.to(Device::cpu).to_vector(), host.to_vector()) << dtype_name(dt);
  }
  double h[2] = {1.5, 2.5};
  nccl->all_reduce_sum(h, 2, DType::f64);  // host memory: the host communicator's
  EXPECT_EQ(h[1], 2.5);
}
