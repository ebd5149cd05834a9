#include <mutex>

#include "kernels/runtime/launch.h"

namespace convlab::cuda {

int sm_count() {
  static int count = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    int device = 0;
    CUDA_CHECK(cudaGetDevice(&device));
    CUDA_CHECK(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device));
  });
  return count;
}

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

void require_tensor_cores(const char* op) {
  static int major = 0, minor = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    int device = 0;
    CUDA_CHECK(cudaGetDevice(&device));
    cudaDeviceProp prop{};
    CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    major = prop.major;
    minor = prop.minor;
  });
  if (major < 8)
    throw Error(std::string(op) +
                ": needs tensor cores with tf32 and bf16 (compute capability 8.0 or newer); this GPU is " +
                std::to_string(major) + "." + std::to_string(minor));
}

void require_math_precision(const char* op, MathPrecision precision, bool float32) {
  if (precision == MathPrecision::full) return;
  if (!float32)
    throw Error(std::string(op) + ": takes float32 tensors (" + math_precision_name(precision) +
                " is a reduced-precision mode of float32); got float64");
  require_tensor_cores(op);
}

}  // namespace convlab::cuda
