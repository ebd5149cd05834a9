// The CUDA backend: event timer, L2 size, and peaks measured on the device:
// a triad kernel and a device-to-device copy over 256 MiB arrays (bytes read
// + written) and a cuBLAS SGEMM of 8192^3 in plain float32 (no TF32).
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>

#include "bench/harness.h"
#include "host/random/counter_rng.h"
#include "kernels/runtime/cuda_check.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::bench {

namespace {

// One thread per element in a grid-stride loop; the value depends only on
// (seed, index), so the buffers hold real, non-zero data.
__global__ void fill_uniform_kernel(float* p, int64_t n, uint64_t seed) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(blockDim.x) * gridDim.x)
    p[i] = counter_uniform01(seed, static_cast<uint64_t>(i)) - 0.5f;
}

// a = b + s * c over float4 vectors: each thread moves 16-byte words,
// coalesced across the warp, in a grid-stride loop.
__global__ void triad_kernel(float4* a, const float4* b, const float4* c, float s, int64_t n4) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n4; i += int64_t(blockDim.x) * gridDim.x) {
    const float4 x = b[i], y = c[i];
    a[i] = make_float4(x.x + s * y.x, x.y + s * y.y, x.z + s * y.z, x.w + s * y.w);
  }
}

class CudaTimer : public Timer {
 public:
  CudaTimer() {
    CUDA_CHECK(cudaEventCreate(&start_));
    CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~CudaTimer() override {
    (void)cudaEventDestroy(start_);
    (void)cudaEventDestroy(stop_);
  }
  // Events on the legacy default stream, which the ops launch on; the device
  // is idle at the start, and any launch error surfaces here.
  double time_ms(const std::function<void()>& fn) override {
    CUDA_CHECK(cudaDeviceSynchronize());
    CUDA_CHECK(cudaEventRecord(start_, 0));
    fn();
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaEventRecord(stop_, 0));
    CUDA_CHECK(cudaEventSynchronize(stop_));
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
    return ms;
  }

 private:
  cudaEvent_t start_{}, stop_{};
};

struct DeviceBuffer {
  float* p = nullptr;
  explicit DeviceBuffer(std::size_t n) { CUDA_CHECK(cudaMalloc(&p, n * sizeof(float))); }
  ~DeviceBuffer() { (void)cudaFree(p); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

void fill(float* p, std::size_t n, uint64_t seed) {
  cuda::launch("fill_uniform_kernel", fill_uniform_kernel, 1024, 256, 0, p, static_cast<int64_t>(n), seed);
}

double best_ms(Timer& timer, int reps, const std::function<void()>& fn) {
  timer.time_ms(fn);
  double best = 1e300;
  for (int i = 0; i < reps; ++i) best = std::min(best, timer.time_ms(fn));
  return best;
}

class CudaBackend : public Backend {
 public:
  CudaBackend() { CUDA_CHECK(cudaGetDeviceProperties(&prop_, 0)); }
  Device device() const override { return Device::cuda; }
  std::string name() const override {
    return std::string(prop_.name) + " (sm_" + std::to_string(prop_.major) + std::to_string(prop_.minor) + ", " +
           std::to_string(prop_.multiProcessorCount) + " SMs, " + std::to_string(prop_.totalGlobalMem >> 30) + " GiB)";
  }
  std::size_t cache_bytes() const override { return static_cast<std::size_t>(prop_.l2CacheSize); }
  Timer& timer() override { return timer_; }

  Peaks measure_peaks() override {
    Peaks p;
    const std::size_t n = std::size_t(64) << 20;  // 256 MiB per array
    DeviceBuffer a(n), b(n), c(n);
    fill(a.p, n, 1);
    fill(b.p, n, 2);
    fill(c.p, n, 3);
    const double copy_ms = best_ms(
        timer_, 10, [&] { CUDA_CHECK(cudaMemcpyAsync(a.p, b.p, n * sizeof(float), cudaMemcpyDeviceToDevice, 0)); });
    const int blocks = 4 * prop_.multiProcessorCount * (prop_.maxThreadsPerMultiProcessor / 256);
    const double triad_ms = best_ms(timer_, 10, [&] {
      cuda::launch("triad_kernel", triad_kernel, blocks, 256, 0, reinterpret_cast<float4*>(a.p),
                   reinterpret_cast<const float4*>(b.p), reinterpret_cast<const float4*>(c.p), 1.5f,
                   static_cast<int64_t>(n / 4));
    });
    p.copy_gbs = 2.0 * n * sizeof(float) / (copy_ms * 1e6);
    p.triad_gbs = 3.0 * n * sizeof(float) / (triad_ms * 1e6);
    p.gbs = std::max(p.copy_gbs, p.triad_gbs);
    p.gbs_how =
        "best of cudaMemcpy device-to-device and a float4 triad kernel over 256 MiB arrays "
        "(bytes read + written), best of 10";

    const int m = 8192;
    const std::size_t mm = std::size_t(m) * m;
    DeviceBuffer A(mm), B(mm), C(mm);
    fill(A.p, mm, 4);
    fill(B.p, mm, 5);
    cublasHandle_t h = nullptr;
    CUBLAS_CHECK(cublasCreate(&h));
    CUBLAS_CHECK(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
    const float one = 1.0f, zero = 0.0f;
    double gemm_ms = 0;
    try {
      gemm_ms = best_ms(timer_, 10, [&] {
        CUBLAS_CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &one, A.p, m, B.p, m, &zero, C.p, m));
      });
    } catch (...) {
      (void)cublasDestroy(h);
      throw;
    }
    CUBLAS_CHECK(cublasDestroy(h));
    p.gflops = 2.0 * m * double(m) * m / (gemm_ms * 1e6);
    p.gflops_how = "cublasSgemm 8192x8192x8192, float32 (CUBLAS_DEFAULT_MATH, no TF32), best of 10";
    return p;
  }

 private:
  cudaDeviceProp prop_{};
  CudaTimer timer_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(std::string& why) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count <= 0) {
    (void)cudaGetLastError();
    why = err != cudaSuccess ? std::string("no usable CUDA device: ") + cudaGetErrorString(err)
                             : std::string("no CUDA device present");
    return nullptr;
  }
  return std::make_unique<CudaBackend>();
}

}  // namespace convlab::bench
