// Fast CPU affine through BLAS GEMM, split over the threads (gemm_parallel).
// forward : out (N, M) = b broadcast, then out += x (N, D) * w (D, M).
// backward: dx (N, D) = dout * w^T (when asked for); dw (D, M) = x^T * dout; db = column sums of dout.
#include "host/cpu/gemm.h"
#include "host/cpu/parallel.h"
#include "host/ops/affine/affine.h"

namespace convlab::threaded {

Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const AffineDims d = affine_dims(x, w, b);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "affine_forward (cpu fast): x must be a CPU tensor, got " << device_name(x.device()));
  Tensor out = Tensor::empty({d.N, d.M}, x.dtype());
  dispatch_floating(x.dtype(), "affine_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    // Rows of out start as the bias (one row per task), then the GEMM adds x * w.
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.N * d.M)))
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t m = 0; m < d.M; ++m) po[n * d.M + m] = pb[m];
    gemm_parallel<T>(false, false, d.N, d.M, d.D, T(1), x.data<T>(), d.D, w.data<T>(), d.M, T(1), po, d.M);
  });
  return {out, AffineCache{x, w, b}};
}

Grads affine_backward(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  const Tensor &x = cache.x, &w = cache.w, &b = cache.b;
  const AffineDims d = affine_dims(x, w, b);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "affine_backward (cpu fast): cache.x must be a CPU tensor, got " << device_name(x.device()));
  expect_same("affine_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("affine_backward: dout", {d.N, d.M});
  Grads g{need_dx ? Tensor::empty(x.shape(), x.dtype()) : Tensor(), Tensor::empty(w.shape(), x.dtype()),
          Tensor::empty(b.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "affine_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* pd = dout.data<T>();
    if (need_dx)
      gemm_parallel<T>(false, true, d.N, d.D, d.M, T(1), pd, d.M, w.data<T>(), d.M, T(0), g.dx.data<T>(), d.D);
    gemm_parallel<T>(true, false, d.D, d.M, d.N, T(1), x.data<T>(), d.D, pd, d.M, T(0), g.dw.data<T>(), d.M);
    // db[m]: sum over the batch in double; one column per task.
    T* db = g.db.data<T>();
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.N * d.M)))
    for (int64_t m = 0; m < d.M; ++m) {
      double s = 0;
      for (int64_t n = 0; n < d.N; ++n) s += pd[n * d.M + m];
      db[m] = T(s);
    }
  });
  return g;
}

}  // namespace convlab::threaded
