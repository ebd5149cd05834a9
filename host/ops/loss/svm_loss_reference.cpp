// CPU reference of svm_loss (multiclass hinge loss with margin 1, mean or sum),
// float and double; the arithmetic runs in double.
#include "host/ops/loss/check_labels.h"
#include "host/ops/loss/loss.h"

namespace convlab::ref {

LossOut svm_loss(const Tensor& x, const Tensor& y, const SvmLossParam& p) {
  const LossDims d = loss_dims("svm_loss", x, y);
  CONVLAB_CHECK(x.device() == Device::cpu, "svm_loss (cpu reference): x must be a CPU tensor");
  check_labels("svm_loss", y, d.C);
  LossOut r{Tensor({}, x.dtype()), Tensor(x.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "svm_loss", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const int32_t* py = y.data<int32_t>();
    T* pdx = r.dx.data<T>();
    const double inv_n = p.reduction == LossReduction::mean ? 1.0 / double(d.N) : 1.0;
    double loss = 0.0;
    for (int64_t n = 0; n < d.N; ++n) {
      const T* row = px + n * d.C;
      const int64_t label = py[n];
      const double correct = row[label];
      int64_t positive = 0;  // classes whose margin is violated
      for (int64_t c = 0; c < d.C; ++c) {
        if (c == label) continue;
        const double margin = double(row[c]) - correct + 1.0;
        if (margin > 0.0) {
          loss += margin;
          ++positive;
          pdx[n * d.C + c] = T(inv_n);
        } else {
          pdx[n * d.C + c] = T(0);
        }
      }
      pdx[n * d.C + label] = T(-double(positive) * inv_n);
    }
    r.loss.data<T>()[0] = T(loss * inv_n);
  });
  return r;
}

}  // namespace convlab::ref
