#include "kernels/runtime/grid.h"

#include <mutex>

#include "kernels/runtime/cuda_check.h"

namespace convlab::kern {

int sm_count() {
  static int count = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    CUDA_CHECK(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, dev));
  });
  return count;
}

}  // namespace convlab::kern
