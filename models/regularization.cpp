#include "models/regularization.h"

#include "host/cpu/parallel.h"

#ifdef CONVLAB_HAVE_CUDA
#include "kernels/solver/l2_penalty.h"
#endif

namespace convlab {

void add_l2_penalty(Tensor& loss, const Tensor& w, Tensor& dw, double reg) {
  expect_same("add_l2_penalty", w.device(), w.dtype(), {{"loss", &loss}, {"dw", &dw}});
  dw.expect_shape("add_l2_penalty: dw", w.shape());
  CONVLAB_CHECK(loss.numel() == 1, "add_l2_penalty: loss must be a scalar, got " << shape_str(loss.shape()));
  if (reg == 0.0) return;
  if (w.device() == Device::cuda) {
#ifdef CONVLAB_HAVE_CUDA
    kernels::l2_penalty_cuda(loss, w, dw, reg);
    return;
#else
    throw Error("add_l2_penalty: convlab was built without CUDA");
#endif
  }
  dispatch_floating(w.dtype(), "add_l2_penalty", [&](auto zero) {
    using T = decltype(zero);
    const T* pw = w.data<T>();
    T* pd = dw.data<T>();
    const T r = static_cast<T>(reg);
    const int64_t n = w.numel();
    double sum = 0.0;
    // One pass over w and dw, split over the threads (the sum in double).
    CONVLAB_OMP(parallel for simd schedule(static) reduction(+ : sum) if(threaded::worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) {
      sum += static_cast<double>(pw[i]) * pw[i];
      pd[i] += r * pw[i];
    }
    loss.data<T>()[0] += static_cast<T>(0.5 * reg * sum);
  });
}

}  // namespace convlab
