// Launch helpers shared by the CUDA kernels: grid sizes for grid-stride
// loops, integer division helpers usable on the device, and the shared-memory
// budget a block may use. The launch itself: launch.cuh.
#pragma once
#include <cstddef>
#include <cstdint>

#include "host/ops/math_precision.h"
#include "kernels/runtime/cuda_check.h"

namespace convlab::cuda {

constexpr int kThreads = 256;  // default block size of the elementwise kernels

__host__ __device__ inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
// Floor division for a possibly negative numerator and a positive divisor.
__host__ __device__ inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Multiprocessor count of the current device, read once.
int sm_count();

// Throws a clear Error unless the current device has the sm_80 tensor-core
// and cp.async instructions (kernels/runtime/mma.cuh) that `op` launches.
void require_tensor_cores(const char* op);

// The preconditions of a variant in `precision`: none for full; for tf32 and
// bf16, float32 tensors (`float32` false throws a clear Error) and tensor cores.
void require_math_precision(const char* op, MathPrecision precision, bool float32);

// Blocks for a grid-stride loop over n items with `threads` per block:
// enough to cover n, capped at `waves` blocks per multiprocessor (the loop
// does the rest), and at least 1.
inline unsigned grid_for(int64_t n, int threads = kThreads, int waves = 8) {
  const int64_t need = ceil_div(n, threads);
  const int64_t cap = static_cast<int64_t>(sm_count()) * waves;
  return static_cast<unsigned>(need < 1 ? 1 : (need > cap ? cap : need));
}

// Index of this thread in a grid-stride loop, and the loop's step.
#define CONVLAB_GRID_STRIDE_LOOP(i, n)                                                   \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// Shared memory a block may use without opt-in (48 KiB) and with opt-in
// (read off device 0, e.g. 227 KiB on Hopper).
constexpr std::size_t kDefaultSharedBytes = 48 * 1024;
std::size_t max_shared_bytes_optin();

// Raises a kernel's dynamic shared-memory limit when `bytes` needs more than
// the default 48 KiB; throws a clear Error when the device cannot give it.
template <class Kernel>
void allow_dynamic_shared(Kernel kernel, std::size_t bytes, const char* op) {
  if (bytes <= kDefaultSharedBytes) return;
  const std::size_t limit = max_shared_bytes_optin();
  if (bytes > limit)
    throw Error(std::string(op) + ": the tile needs " + std::to_string(bytes) +
                " bytes of shared memory, more than the device's " + std::to_string(limit) +
                " (use another variant for such large filters or strides)");
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)));
}

// Largest chunk count u in [1, max_units] with fixed + u * per_unit <= limit
// (1 when even one unit does not fit; the caller then opts in or fails).
inline int fit_units(std::size_t fixed, std::size_t per_unit, int max_units, std::size_t limit) {
  int u = max_units < 1 ? 1 : max_units;
  while (u > 1 && fixed + static_cast<std::size_t>(u) * per_unit > limit) --u;
  return u;
}

}  // namespace convlab::cuda
