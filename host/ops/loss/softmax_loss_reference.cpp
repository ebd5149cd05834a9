// CPU reference of softmax_loss (mean cross-entropy), float and double.
// Numerically stable: each row is shifted by its maximum before exp; the
// arithmetic runs in double.
#include <algorithm>
#include <cmath>
#include <vector>

#include "host/ops/loss/check_labels.h"
#include "host/ops/loss/loss.h"

namespace convlab::ref {

LossOut softmax_loss(const Tensor& x, const Tensor& y) {
  const LossDims d = loss_dims("softmax_loss", x, y);
  CONVLAB_CHECK(x.device() == Device::cpu, "softmax_loss (cpu reference): x must be a CPU tensor");
  check_labels("softmax_loss", y, d.C);
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
      loss -= (double(row[label]) - mx) - std::log(z);
      for (int64_t c = 0; c < d.C; ++c) pdx[n * d.C + c] = T((e[c] / z - (c == label ? 1.0 : 0.0)) / double(d.N));
    }
    r.loss.data<T>()[0] = T(loss / double(d.N));
  });
  return r;
}

}  // namespace convlab::ref
