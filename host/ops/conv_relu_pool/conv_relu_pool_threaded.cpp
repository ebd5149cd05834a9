// Fused conv - relu - max_pool on the CPU (host/ops/conv_relu_pool/conv_relu_pool.h).
//
// forward : one image per task. conv_image_forward writes the image's conv
//           output (F x Hc x Wc) into the thread's buffer, pool_planes writes
//           the image's F pooled planes and their argmax, and relu is applied
//           to the pooled values: relu is monotone, so the max of relu'd
//           values is the relu of the max. The conv output never reaches
//           memory. (Where a window's maximum is <= 0 the kept argmax may
//           differ from the chain's, which picks the first of the zeros; no
//           gradient flows there either way.)
// backward: one image per task. The image's conv gradient is rebuilt in the
//           thread's buffer: zero, then each window's gradient added at its
//           argmax where the pooled value is positive (relu's mask there).
//           It feeds dw and db (sums per thread, reduced at the end) and,
//           when asked for, the image's slice of dx.
#include <algorithm>
#include <atomic>
#include <optional>

#include "host/cpu/parallel.h"
#include "host/cpu/thread_sums.h"
#include "host/cpu/workspace.h"
#include "host/ops/conv/conv_image.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/max_pool/pool_planes.h"
#include "host/ops/relu/relu_check.h"

namespace convlab::threaded {

namespace {

// The pooling of one image's conv output: N = 1, C = F.
PoolDims image_pool_dims(const ConvDims& d, const PoolParam& pp) {
  return pool_dims(Shape{1, d.F, d.Hout, d.Wout}, pp);
}

bool worth_images(const ConvDims& d) { return d.N > 1 && worth_threads(d.N * d.F * d.Hout * d.Wout * d.C); }

template <class T>
void forward_impl(const ConvDims& d, const PoolDims& pd, const T* x, const T* w, const T* b, T* out, int32_t* argmax) {
  const int64_t Pc = d.Hout * d.Wout, Pp = pd.Hout * pd.Wout;
  CONVLAB_OMP(parallel for schedule(dynamic) if(worth_images(d)))
  for (int64_t n = 0; n < d.N; ++n) {
    T* conv = workspace<T>(2, d.F * Pc);
    conv_image_forward(d, x + n * d.C * d.H * d.W, w, b, conv);
    T* o = out + n * d.F * Pp;
    pool_planes(pd, conv, o, argmax + n * d.F * Pp);
    for (int64_t k = 0; k < d.F * Pp; ++k) o[k] = relu_value(o[k]);
  }
}

template <class T>
int64_t backward_impl(const ConvDims& d, const PoolDims& pd, const T* x, const T* w, const T* dout, const T* pooled,
                      const int32_t* argmax, T* dx, T* dw, T* db) {
  const int64_t K = d.C * d.HH * d.WW, FK = d.F * K, Pc = d.Hout * d.Wout, Pp = pd.Hout * pd.Wout;
  std::atomic<int64_t> bad{0};
  std::optional<ConvImageDx<T>> image_dx;  // prepared only when dx is asked for
  if (dx) image_dx.emplace(d, w);
  // Each thread sums dw, then db, over its images.
  auto body = [&](T* my_dw) {
    T* my_db = my_dw + FK;
    // static: a thread sums the same images on every call, so dw and db are
    // bitwise reproducible for a given thread count.
    CONVLAB_OMP(for schedule(static))
    for (int64_t n = 0; n < d.N; ++n) {
      T* dconv = workspace<T>(2, d.F * Pc);
      std::fill(dconv, dconv + d.F * Pc, T(0));
      for (int64_t f = 0; f < d.F; ++f) {
        const int64_t o = (n * d.F + f) * Pp;
        T* plane = dconv + f * Pc;
        double s = 0;
        for (int64_t k = 0; k < Pp; ++k) {
          const int32_t idx = argmax[o + k];
          if (idx < 0 || idx >= Pc) {
            bad.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          const T g = pooled[o + k] > T(0) ? dout[o + k] : T(0);  // a select, not a branch
          plane[idx] += g;
          s += double(g);
        }
        my_db[f] += T(s);
      }
      conv_image_dw(d, x + n * d.C * d.H * d.W, dconv, my_dw);
      if (dx) (*image_dx)(dconv, dx + n * d.C * d.H * d.W);
    }
  };
  sum_over_threads<T>(FK + d.F, worth_images(d), body, [&](int64_t e, T s) {
    if (e < FK)
      dw[e] = s;
    else
      db[e - FK] = s;
  });
  return bad.load();
}

}  // namespace

Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                  const ConvParam& conv_param, const PoolParam& pool_param) {
  const ConvDims d = conv_dims(x, w, b, conv_param);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "conv_relu_pool_forward (cpu fast): x must be a CPU tensor, got " << device_name(x.device()));
  const PoolDims pd = image_pool_dims(d, pool_param);
  CONVLAB_CHECK(d.Hout * d.Wout <= INT32_MAX, "conv_relu_pool_forward: conv output plane "
                                                  << d.Hout << "x" << d.Wout << " too large for int32 argmax indices");
  Tensor out = Tensor::empty({d.N, d.F, pd.Hout, pd.Wout}, x.dtype());
  Tensor argmax = Tensor::empty({d.N, d.F, pd.Hout, pd.Wout}, DType::i32);
  dispatch_floating(x.dtype(), "conv_relu_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    forward_impl<T>(d, pd, x.data<T>(), w.data<T>(), b.data<T>(), out.data<T>(), argmax.data<int32_t>());
  });
  ConvReluPoolCache cache;
  cache.conv = ConvCache{x, w, b, conv_param};
  cache.pool = PoolCache{Tensor(), pool_param, argmax};
  cache.pooled = out;
  return {out, cache};
}

Grads conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx) {
  const ConvDims d = conv_relu_pool_check_fused_backward(dout, cache, Device::cpu, "cpu fast");
  const Tensor &x = cache.conv.x, &w = cache.conv.w, &b = cache.conv.b;
  const PoolDims pd = image_pool_dims(d, cache.pool.param);
  Grads g{need_dx ? Tensor::empty(x.shape(), x.dtype()) : Tensor(), Tensor::empty(w.shape(), x.dtype()),
          Tensor::empty(b.shape(), x.dtype())};
  int64_t bad = 0;
  dispatch_floating(x.dtype(), "conv_relu_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    bad = backward_impl<T>(d, pd, x.data<T>(), w.data<T>(), dout.data<T>(), cache.pooled.data<T>(),
                           cache.pool.argmax.data<int32_t>(), need_dx ? g.dx.data<T>() : nullptr, g.dw.data<T>(),
                           g.db.data<T>());
  });
  CONVLAB_CHECK(bad == 0, "conv_relu_pool_backward: cache.pool.argmax holds " << bad << " indices outside the "
                                                                              << d.Hout << "x" << d.Wout << " plane");
  return g;
}

}  // namespace convlab::threaded
