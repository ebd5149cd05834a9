// CPU reference of softmax_loss (cross-entropy, label smoothing, mean or
// sum), float and double. Numerically stable: each row is shifted by its
// maximum before exp; the arithmetic runs in double.
#include <algorithm>
#include <cmath>
#include <vector>

#include "host/ops/loss/check_labels.h"
#include "host/ops/loss/loss.h"

namespace convlab::ref {

LossOut softmax_loss(const Tensor& x, const Tensor& y, const SoftmaxLossParam& p) {
  const LossDims d = loss_dims("softmax_loss", x, y);
  CONVLAB_CHECK(x.device() == Device::cpu, "softmax_loss (cpu reference): x must be a CPU tensor");
  check_labels("softmax_loss", y, d.C);
  check_softmax_loss_param(p);
  const double eps = p.label_smoothing;
  // The target distribution: on + off at the label, off elsewhere (1 and 0 without smoothing).
  const double on = 1.0 - eps, off = eps / double(d.C);
  const double denom = p.reduction == LossReduction::mean ? double(d.N) : 1.0;
  LossOut r{Tensor({}, x.dtype()), Tensor(x.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "softmax_loss", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const int32_t* py = y.data<int32_t>();
    T* pdx = r.dx.data<T>();
    std::vector<double> e(d.C);
    double loss = 0.0;
    for (int64_t n = 0; n < d.N; ++n) {
      const T* row = px + n * d.C;
      double mx = row[0];
      for (int64_t c = 1; c < d.C; ++c) mx = std::max(mx, double(row[c]));
      double z = 0.0;
      for (int64_t c = 0; c < d.C; ++c) z += (e[c] = std::exp(double(row[c]) - mx));
      const int64_t label = py[n];
      const double ce = std::log(z) - (double(row[label]) - mx);  // -log p_label
      if (eps == 0.0) {
        loss += ce;
      } else {
        double shifted = 0.0;  // sum_c (x_c - max); mean_c(-log p_c) = log z - shifted / C
        for (int64_t c = 0; c < d.C; ++c) shifted += double(row[c]) - mx;
        loss += on * ce + eps * (std::log(z) - shifted / double(d.C));
      }
      for (int64_t c = 0; c < d.C; ++c) pdx[n * d.C + c] = T((e[c] / z - (c == label ? on + off : off)) / denom);
    }
    r.loss.data<T>()[0] = T(loss / denom);
  });
  return r;
}

}  // namespace convlab::ref
