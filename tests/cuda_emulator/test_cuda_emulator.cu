// The CUDA emulator's own tests (built with -DCONVLAB_CUDA_EMULATOR=ON): it
// must run correct kernels as a GPU does, and fail the launch of kernels that
// would misbehave on one. Written as CUDA, and rewritten like the kernels.
#include <gtest/gtest.h>

#include <cuda_runtime.h>

#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A block-wide sum: warp shuffles, then the warps' partials in shared memory.
__global__ void block_sum_kernel(const float* x, int n, float* out) {
  __shared__ float partial[32];
  float v = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) v += x[i];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
  __syncthreads();
  if (threadIdx.x < 32) {
    v = threadIdx.x < blockDim.x / 32 ? partial[threadIdx.x] : 0.0f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if (threadIdx.x == 0) *out = v;
  }
}

// Reverses a block's values through dynamic shared memory; `sync` false
// leaves out the barrier between the writes and the reads.
__global__ void reverse_kernel(const float* x, float* out, bool sync) {
  extern __shared__ __align__(16) unsigned char smem[];
  float* s = reinterpret_cast<float*>(smem);
  const int t = threadIdx.x, n = blockDim.x;
  s[t] = x[blockIdx.x * n + t];
  if (sync) __syncthreads();
  out[blockIdx.x * n + t] = s[n - 1 - t];
}

// Threads past `live` return before the barrier the others wait at.
__global__ void early_exit_kernel(int live, float* out) {
  if (static_cast<int>(threadIdx.x) >= live) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

// Lanes past `live` return; the others shuffle from lane + 1.
__global__ void shuffle_exited_kernel(int live, float* out) {
  if (static_cast<int>(threadIdx.x) >= live) return;
  out[threadIdx.x] = __shfl_sync(0xffffffffu, static_cast<float>(threadIdx.x), threadIdx.x + 1);
}

__global__ void index_kernel(int* out) {
  const int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  out[block * blockDim.x * blockDim.y * blockDim.z + thread] = block * 1000 + thread;
}

template <class T>
struct DeviceBuffer {
  T* p = nullptr;
  explicit DeviceBuffer(std::size_t n) { EXPECT_EQ(cudaMalloc(&p, n * sizeof(T)), cudaSuccess); }
  ~DeviceBuffer() { cudaFree(p); }
};

std::vector<float> to_host(const float* d, std::size_t n) {
  std::vector<float> h(n);
  EXPECT_EQ(cudaMemcpy(h.data(), d, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
  return h;
}

std::string launch_error(const std::function<void()>& launch) {
  try {
    launch();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(CudaEmulator, ShufflesAndSharedMemoryGiveABlockSum) {
  for (int threads : {32, 64, 256, 1024}) {
    const int n = 3000;
    std::vector<float> h(n);
    std::iota(h.begin(), h.end(), 1.0f);
    DeviceBuffer<float> x(n), out(1);
    cudaMemcpy(x.p, h.data(), n * sizeof(float), cudaMemcpyHostToDevice);
    block_sum_kernel<<<1, threads>>>(x.p, n, out.p);
    EXPECT_EQ(to_host(out.p, 1)[0], 3000.0f * 3001.0f / 2) << threads << " threads";
  }
}

TEST(CudaEmulator, EveryBlockAndThreadRunsOnceWithItsIndices) {
  const dim3 grid(3, 2, 2), block(4, 2, 3);
  const int n = 12 * 24;
  int* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, n * sizeof(int)), cudaSuccess);
  index_kernel<<<grid, block>>>(d);
  std::vector<int> h(n);
  cudaMemcpy(h.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; ++i) EXPECT_EQ(h[i], (i / 24) * 1000 + i % 24) << i;
  cudaFree(d);
}

TEST(CudaEmulator, AMissingBarrierChangesTheResult) {
  const int blocks = 2, threads = 64, n = blocks * threads;
  std::vector<float> h(n);
  std::iota(h.begin(), h.end(), 0.0f);
  DeviceBuffer<float> x(n), out(n);
  cudaMemcpy(x.p, h.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  reverse_kernel<<<blocks, threads, threads * sizeof(float)>>>(x.p, out.p, true);
  const std::vector<float> good = to_host(out.p, n);
  for (int i = 0; i < n; ++i) EXPECT_EQ(good[i], h[(i / threads) * threads + threads - 1 - i % threads]);
  reverse_kernel<<<blocks, threads, threads * sizeof(float)>>>(x.p, out.p, false);
  EXPECT_NE(to_host(out.p, n), good) << "without the barrier, some reads must miss the writes";
}

TEST(CudaEmulator, ABarrierNotEveryThreadReachesFailsTheLaunch) {
  DeviceBuffer<float> out(64);
  const std::string e = launch_error([&] { early_exit_kernel<<<1, 64>>>(40, out.p); });
  EXPECT_NE(e.find("early_exit_kernel"), std::string::npos) << e;
  EXPECT_NE(e.find("__syncthreads() reached by 40 of 64 threads"), std::string::npos) << e;
  EXPECT_EQ(launch_error([&] { early_exit_kernel<<<1, 64>>>(64, out.p); }), "");
}

TEST(CudaEmulator, AShuffleFromAnExitedLaneFailsTheLaunch) {
  DeviceBuffer<float> out(32);
  const std::string e = launch_error([&] { shuffle_exited_kernel<<<1, 32>>>(20, out.p); });
  EXPECT_NE(e.find("lane 19) reads lane 20, which has exited"), std::string::npos) << e;
}

TEST(CudaEmulator, ConfigurationsAGpuRejectsFailTheLaunch) {
  DeviceBuffer<float> x(4096), out(4096);
  EXPECT_NE(launch_error([&] { reverse_kernel<<<1, 2048, 0>>>(x.p, out.p, true); }).find("invalid configuration"),
            std::string::npos);
  EXPECT_NE(
      launch_error([&] { reverse_kernel<<<dim3(1, 70000), 32, 0>>>(x.p, out.p, true); }).find("invalid configuration"),
      std::string::npos);
  // More than 48 KiB of dynamic shared memory needs cudaFuncSetAttribute first.
  const std::size_t big = 64 * 1024;
  EXPECT_NE(launch_error([&] { reverse_kernel<<<1, 32, big>>>(x.p, out.p, true); }).find("cudaFuncSetAttribute"),
            std::string::npos);
  ASSERT_EQ(cudaFuncSetAttribute(reverse_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(big)),
            cudaSuccess);
  EXPECT_EQ(launch_error([&] { reverse_kernel<<<1, 32, big>>>(x.p, out.p, true); }), "");
}

TEST(CudaEmulator, CopiesCheckWhichSideIsOnTheDevice) {
  DeviceBuffer<float> d(8);
  std::vector<float> h(8, 1.0f);
  EXPECT_EQ(cudaMemcpy(d.p, h.data(), 8 * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(h.data(), d.p, 8 * sizeof(float), cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(d.p, h.data(), 9 * sizeof(float), cudaMemcpyHostToDevice), cudaErrorInvalidValue)
      << "one element past the allocation";
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(CudaEmulator, NewDeviceMemoryHoldsNaNs) {
  DeviceBuffer<float> d(16);
  for (float v : to_host(d.p, 16)) EXPECT_TRUE(v != v);
}

#if defined(__SANITIZE_ADDRESS__)
// Each thread writes the element after its own: the last one writes past the end.
__global__ void write_next_kernel(float* p) { p[threadIdx.x + 1] = 1; }

// Device memory is exactly as long as asked for, so AddressSanitizer catches a
// kernel's access one past the end, as compute-sanitizer memcheck would.
TEST(CudaEmulatorDeathTest, AKernelWritingPastAnAllocationIsCaught) {
  DeviceBuffer<float> d(32);
  write_next_kernel<<<1, 31>>>(d.p);  // in bounds
  EXPECT_DEATH(write_next_kernel<<<1, 32>>>(d.p), "heap-buffer-overflow");
}
#endif

}  // namespace
