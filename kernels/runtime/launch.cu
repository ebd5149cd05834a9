#include <mutex>

#include "kernels/runtime/launch.h"

namespace convlab::cuda {

std::size_t max_shared_bytes_optin() {
  static std::size_t bytes = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    int device = 0, value = 0;
    CUDA_CHECK(cudaGetDevice(&device));
    CUDA_CHECK(cudaDeviceGetAttribute(&value, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
    bytes = static_cast<std::size_t>(value);
  });
  return bytes;
}

}  // namespace convlab::cuda
