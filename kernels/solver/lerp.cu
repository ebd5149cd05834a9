// In-place linear interpolation a += weight * (b - a): the update of the
// weight averages (EMA, lookahead) and the mean of test-time-augmentation
// scores.
//
// Parallel decomposition: a 1-D grid-stride loop over the n elements (one
// element per thread per pass, launch_n). Memory access: a and b are read and
// a written once, coalesced; bandwidth-bound.
#include "kernels/runtime/launch.cuh"
#include "kernels/solver/lerp.h"

namespace convlab::kernels {

namespace {

// a + w * (b - a) with each operation rounded on its own, as the CPU loop
// (host/solver/lerp.cpp) computes it: nvcc would otherwise fuse the multiply
// and the add into one FMA, and the averages of the two devices would drift
// apart by an ulp per update.
__device__ __forceinline__ float lerp_rn(float a, float b, float w) {
  return __fadd_rn(a, __fmul_rn(w, __fsub_rn(b, a)));
}
__device__ __forceinline__ double lerp_rn(double a, double b, double w) {
  return __dadd_rn(a, __dmul_rn(w, __dsub_rn(b, a)));
}

template <class T>
__global__ void lerp_kernel(T* __restrict__ a, const T* __restrict__ b, T weight, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    a[i] = lerp_rn(a[i], b[i], weight);
}

}  // namespace

void lerp_cuda(Tensor& a, const Tensor& b, double weight) {
  const int64_t n = a.numel();
  dispatch_floating(a.dtype(), "lerp", [&](auto zero) {
    using T = decltype(zero);
    cuda::launch_n("lerp_kernel", n, lerp_kernel<T>, a.data<T>(), b.data<T>(), static_cast<T>(weight), n);
  });
}

}  // namespace convlab::kernels
