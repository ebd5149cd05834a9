// CUDA runtime services for the host side (see kernels/runtime/cuda_device.h).
#include <mutex>

#include "kernels/runtime/cuda_check.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab::cuda {

namespace {
struct Probe {
  bool ok = false;
  std::string reason;
  std::string name;
};

const Probe& probe() {
  static Probe p;
  static std::once_flag once;
  std::call_once(once, [] {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      // Without a GPU the driver reports e.g. error 35 (insufficient driver)
      // and leaves count untouched: treat any error as "no GPU".
      p.reason = std::string("no usable CUDA device: cudaGetDeviceCount failed (") + cudaGetErrorString(err) + ")";
      (void)cudaGetLastError();
      return;
    }
    if (count <= 0) {
      p.reason = "no CUDA device present";
      return;
    }
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
      p.reason = "cudaGetDeviceProperties failed";
      (void)cudaGetLastError();
      return;
    }
    p.ok = true;
    p.name = prop.name;
  });
  return p;
}
}  // namespace

bool available() { return probe().ok; }
std::string no_gpu_reason() { return probe().ok ? "" : probe().reason; }
std::string device_name() { return probe().name; }

int use_device_for_rank(int local_rank) {
  if (!available()) throw Error("cannot choose a GPU: " + no_gpu_reason());
  int count = 0;
  CUDA_CHECK(cudaGetDeviceCount(&count));
  const int device = local_rank % count;
  CUDA_CHECK(cudaSetDevice(device));
  return device;
}

void* malloc_device(std::size_t nbytes) {
  if (!available()) throw Error("cannot allocate on the GPU: " + no_gpu_reason());
  void* p = nullptr;
  const cudaError_t err = cudaMalloc(&p, nbytes);
  if (err != cudaSuccess) {
    // Out of memory is not a sticky error: clear it, so that the caching
    // allocator's retry and later launch checks do not report it again.
    (void)cudaGetLastError();
    throw Error("CUDA error in cudaMalloc of " + std::to_string(nbytes) + " bytes: " + cudaGetErrorString(err));
  }
  return p;
}

void free_device(void* p) noexcept {
  if (p) (void)cudaFree(p);
}

void memcpy_h2d(void* dst, const void* src, std::size_t n) {
  CUDA_CHECK(cudaMemcpy(dst, src, n, cudaMemcpyHostToDevice));
}
void memcpy_d2h(void* dst, const void* src, std::size_t n) {
  CUDA_CHECK(cudaMemcpy(dst, src, n, cudaMemcpyDeviceToHost));
}
void memcpy_d2d(void* dst, const void* src, std::size_t n) {
  CUDA_CHECK(cudaMemcpy(dst, src, n, cudaMemcpyDeviceToDevice));
}
void memset_device(void* dst, int byte, std::size_t n) { CUDA_CHECK(cudaMemset(dst, byte, n)); }
void synchronize() { CUDA_CHECK(cudaDeviceSynchronize()); }

}  // namespace convlab::cuda
