#include "host/solver/lerp.h"

#include "host/cpu/parallel.h"

#ifdef CONVLAB_HAVE_CUDA
#include "kernels/solver/lerp.h"
#endif

namespace convlab {

void lerp_(Tensor& a, const Tensor& b, double weight) {
  expect_same("lerp", a.device(), a.dtype(), {{"b", &b}});
  b.expect_shape("lerp: b", a.shape());
  if (a.device() == Device::cuda) {
#ifdef CONVLAB_HAVE_CUDA
    kernels::lerp_cuda(a, b, weight);
    return;
#else
    throw Error("lerp: convlab was built without CUDA");
#endif
  }
  dispatch_floating(a.dtype(), "lerp", [&](auto zero) {
    using T = decltype(zero);
    T* pa = a.data<T>();
    const T* pb = b.data<T>();
    const T w = static_cast<T>(weight);
    const int64_t n = a.numel();
    CONVLAB_OMP(parallel for simd schedule(static) if(threaded::worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) pa[i] += w * (pb[i] - pa[i]);
  });
}

}  // namespace convlab
