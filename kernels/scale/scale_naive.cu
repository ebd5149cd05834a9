// scale, "naive" variant: grid-stride loop, one element per thread per step,
// consecutive threads on consecutive elements (coalesced loads and stores).
#include "host/ops/scale/scale.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

template <class T>
__global__ void scale_kernel(const T* __restrict__ x, T factor, int64_t n, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) out[i] = factor * x[i];
}

template <class T>
void scale_launch(const T* x, T factor, int64_t n, T* out) {
  launch_n("scale_kernel", n, scale_kernel<T>, x, factor, n, out);
}

template void scale_launch<float>(const float*, float, int64_t, float*);
template void scale_launch<double>(const double*, double, int64_t, double*);

Tensor scale_apply_naive(const Tensor& x, double factor) {
  check_scale(x, factor, Device::cuda);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "scale", [&](auto zero) {
    using T = decltype(zero);
    scale_launch<T>(x.data<T>(), static_cast<T>(factor), x.numel(), out.data<T>());
  });
  return out;
}

}  // namespace convlab::cuda
