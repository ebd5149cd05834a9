#include "host/ops/tta/tta_views.h"

#include "host/cpu/parallel.h"
#include "host/data/augment_sample.h"  // reflect_index

#ifdef CONVLAB_HAVE_CUDA
#include "kernels/tta/tta_views.h"
#endif

namespace convlab {

Tensor tta_view(const Tensor& x, bool flip, int dy, int dx, const Tensor& mean) {
  x.expect_ndim("tta_view: x (N, C, H, W)", 4);
  x.expect_float("tta_view: x");
  CONVLAB_CHECK(
      dy >= -1 && dy <= 1 && dx >= -1 && dx <= 1,
      "tta_view: shifts are -1, 0 or 1 pixel (one pixel of reflect padding), got (" << dy << ", " << dx << ")");
  const int64_t H = x.dim(2), W = x.dim(3);
  CONVLAB_CHECK((dy == 0 || H >= 2) && (dx == 0 || W >= 2),
                "tta_view: a shift with reflect padding needs pictures of at least 2 pixels on that side, got "
                    << shape_str(x.shape()));
  const int64_t C = x.dim(1);
  if (mean.defined()) {
    expect_same("tta_view", x.device(), x.dtype(), {{"mean", &mean}});
    mean.expect_shape("tta_view: mean", {C, H, W});
  }
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.device() == Device::cuda) {
#ifdef CONVLAB_HAVE_CUDA
    kernels::tta_view_cuda(x, mean, out, flip, dy, dx);
    return out;
#else
    throw Error("tta_view: convlab was built without CUDA");
#endif
  }
  dispatch_floating(x.dtype(), "tta_view", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pm = mean.defined() ? mean.data<T>() : nullptr;
    T* po = out.data<T>();
    const int64_t rows = x.dim(0) * x.dim(1) * H;
    // One output row per iteration: its source row, read forwards or mirrored.
    CONVLAB_OMP(parallel for schedule(static) if(threaded::worth_threads(rows * W)))
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t h = r % H, plane = r / H, sh = reflect_index(h + dy, H);
      const T* src = px + (plane * H + sh) * W;
      T* dst = po + r * W;
      for (int64_t w = 0; w < W; ++w) dst[w] = src[reflect_index((flip ? W - 1 - w : w) + dx, W)];
      if (pm) {  // view(x + mean) - mean
        const T* m = pm + (plane % C) * H * W;
        for (int64_t w = 0; w < W; ++w)
          dst[w] += m[sh * W + reflect_index((flip ? W - 1 - w : w) + dx, W)] - m[h * W + w];
      }
    }
  });
  return out;
}

}  // namespace convlab
