// CPU reference of scale, float and double.
#include "host/ops/scale/scale.h"

namespace convlab::ref {

Tensor scale_apply(const Tensor& x, double factor) {
  check_scale(x, factor, Device::cpu);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "scale", [&](auto zero) {
    using T = decltype(zero);
    const T f = static_cast<T>(factor);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) po[i] = f * px[i];
  });
  return out;
}

}  // namespace convlab::ref
