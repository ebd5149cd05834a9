// convlab's launch helpers (kernels/runtime/launch.cuh) on the CUDA emulator:
// launch_n's grid and its empty range, and a failed launch throwing
// convlab::Error under the name the caller gave the kernel.
#include <gtest/gtest.h>

#include <string>

#include "kernels/runtime/launch.cuh"

namespace {

// Every thread of the grid adds one to *count.
__global__ void count_threads_kernel(int* count) { atomicAdd(count, 1); }

// Threads past `live` return before the barrier the others wait at.
__global__ void early_exit_kernel(int live, int* out) {
  if (static_cast<int>(threadIdx.x) >= live) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

struct DeviceInts {
  int* p = nullptr;
  explicit DeviceInts(std::size_t n) {
    EXPECT_EQ(cudaMalloc(&p, n * sizeof(int)), cudaSuccess);
    EXPECT_EQ(cudaMemset(p, 0, n * sizeof(int)), cudaSuccess);
  }
  ~DeviceInts() { cudaFree(p); }
  int first() const {
    int v = -1;
    EXPECT_EQ(cudaMemcpy(&v, p, sizeof(int), cudaMemcpyDeviceToHost), cudaSuccess);
    return v;
  }
};

std::string launch_error(void (*body)(int*), int* arg) {
  try {
    body(arg);
  } catch (const convlab::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CudaLaunch, LaunchNRunsGridForBlocksOfTheGivenSizeAndNothingForNoItems) {
  using convlab::cuda::grid_for;
  using convlab::cuda::launch_n;
  DeviceInts none(1), small(1), big(1);
  launch_n("counter", 0, count_threads_kernel, none.p);
  EXPECT_EQ(none.first(), 0) << "no launch for an empty range";
  launch_n<32>("counter", 40, count_threads_kernel, small.p);
  EXPECT_EQ(small.first(), static_cast<int>(grid_for(40, 32)) * 32);
  launch_n("counter", 3000, count_threads_kernel, big.p);
  EXPECT_EQ(big.first(), static_cast<int>(grid_for(3000)) * convlab::cuda::kThreads);
}

// The message carries the name the caller gave the kernel, for a
// configuration a GPU rejects and for the emulator's synchronisation checks.
TEST(CudaLaunch, AFailedLaunchThrowsAnErrorNamingTheKernel) {
  DeviceInts out(64);
  const std::string config =
      launch_error([](int* p) { convlab::cuda::launch("counter", count_threads_kernel, 1, 2048, 0, p); }, out.p);
  EXPECT_NE(config.find("counter"), std::string::npos) << config;
  EXPECT_NE(config.find("invalid configuration"), std::string::npos) << config;
  EXPECT_EQ(out.first(), 0) << "the rejected launch ran";

  const std::string barrier =
      launch_error([](int* p) { convlab::cuda::launch("half_exit", early_exit_kernel, 1, 64, 0, 40, p); }, out.p);
  EXPECT_NE(barrier.find("half_exit"), std::string::npos) << barrier;
  EXPECT_NE(barrier.find("__syncthreads()"), std::string::npos) << barrier;
  EXPECT_EQ(launch_error([](int* p) { convlab::cuda::launch("half_exit", early_exit_kernel, 1, 64, 0, 64, p); }, out.p),
            "");
}
