// Fast CPU softmax_loss: rows split over threads (one row per iteration,
// contiguous), the loss summed by an OpenMP reduction. Each row is shifted by
// its maximum before exp; the arithmetic runs in double as in the reference.
#include <algorithm>
#include <cmath>

#include "host/cpu/parallel.h"
#include "host/ops/loss/check_labels.h"
#include "host/ops/loss/loss.h"

namespace convlab::threaded {

LossOut softmax_loss(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p) {
  const LossDims d = loss_dims("softmax_loss", x, y);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "softmax_loss (cpu fast): x must be a CPU tensor, got " << device_name(x.device()));
  ref::check_labels("softmax_loss", y, d.C);
  check_softmax_loss_param(p);
  const double eps = p.label_smoothing;
  const double on = 1.0 - eps, off = eps / double(d.C);  // the target distribution (see loss.h)
  LossOut r{Tensor::empty({}, x.dtype()), Tensor::empty(x.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "softmax_loss", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const int32_t* py = y.data<int32_t>();
    T* pdx = r.dx.data<T>();
    const double inv_n = p.reduction == LossReduction::mean ? 1.0 / double(d.N) : 1.0;
    double loss = 0.0;
    CONVLAB_OMP(parallel for schedule(static) reduction(+ : loss) if(worth_threads(d.N * d.C)))
    for (int64_t n = 0; n < d.N; ++n) {
      const T* row = px + n * d.C;
      T* drow = pdx + n * d.C;
      const double mx = double(*std::max_element(row, row + d.C));
      double z = 0.0;
      for (int64_t c = 0; c < d.C; ++c) z += std::exp(double(row[c]) - mx);
      const int64_t label = py[n];
      const double log_z = std::log(z);
      if (eps == 0.0) {
        loss -= (double(row[label]) - mx) - log_z;
      } else {
        double shifted = 0.0;  // sum_c (x_c - max)
        for (int64_t c = 0; c < d.C; ++c) shifted += double(row[c]) - mx;
        loss += on * (log_z - (double(row[label]) - mx)) + eps * (log_z - shifted / double(d.C));
      }
      for (int64_t c = 0; c < d.C; ++c)
        drow[c] = T((std::exp(double(row[c]) - mx - log_z) - (c == label ? on + off : off)) * inv_n);
    }
    r.loss.data<T>()[0] = T(loss * inv_n);
  });
  return r;
}

}  // namespace convlab::threaded
