#include "host/ops/norm/norm_check.h"

#include <cmath>
#include <string>

namespace convlab {

namespace {

std::string arg(const char* op, const char* name) { return std::string(op) + ": " + name; }

void check_x_gamma_beta(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta, int ndim,
                        const char* layout) {
  CONVLAB_CHECK(x.defined(), op << ": argument x is empty");
  x.expect_float(arg(op, "x").c_str());
  CONVLAB_CHECK(x.ndim() == ndim, op << ": x must have shape " << layout << ", got " << shape_str(x.shape()));
  for (auto n : x.shape())
    CONVLAB_CHECK(n > 0, op << ": x must have no zero-sized dimension, got " << shape_str(x.shape()));
  expect_same(op, x.device(), x.dtype(), {{"gamma", &gamma}, {"beta", &beta}});
  const int64_t C = x.dim(1);
  gamma.expect_shape(arg(op, "gamma").c_str(), {C});
  beta.expect_shape(arg(op, "beta").c_str(), {C});
}

}  // namespace

NormDims batchnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta) {
  check_x_gamma_beta(op, x, gamma, beta, 2, "(N, D)");
  return NormDims{x.dim(0), x.dim(1), 1, true, 1};
}

NormDims spatial_batchnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta) {
  check_x_gamma_beta(op, x, gamma, beta, 4, "(N, C, H, W)");
  return NormDims{x.dim(0), x.dim(1), x.dim(2) * x.dim(3), true, 1};
}

NormDims layernorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta) {
  check_x_gamma_beta(op, x, gamma, beta, 2, "(N, D)");
  return NormDims{x.dim(0), x.dim(1), 1, false, 1};
}

NormDims spatial_groupnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t G) {
  check_x_gamma_beta(op, x, gamma, beta, 4, "(N, C, H, W)");
  const int64_t C = x.dim(1);
  CONVLAB_CHECK(G >= 1, op << ": number of groups G must be at least 1, got " << G);
  CONVLAB_CHECK(C % G == 0, op << ": number of groups G = " << G << " must divide the channel count C = " << C
                               << " of x " << shape_str(x.shape()));
  return NormDims{x.dim(0), C, x.dim(2) * x.dim(3), false, G};
}

void check_norm_eps(const char* op, double eps) {
  CONVLAB_CHECK(std::isfinite(eps) && eps > 0, op << ": eps must be a positive number, got " << eps);
}

void check_norm_momentum(const char* op, double m) {
  CONVLAB_CHECK(m >= 0 && m <= 1, op << ": momentum must lie in [0, 1], got " << m);
}

void prepare_running_stats(const char* op, const NormDims& d, const Tensor& x, BatchNormParam& param) {
  const Shape s{d.C};
  for (auto [name, t] : {std::pair<const char*, Tensor*>{"running_mean", &param.running_mean},
                         std::pair<const char*, Tensor*>{"running_var", &param.running_var}}) {
    if (!t->defined()) {
      *t = Tensor::zeros(s, x.dtype(), x.device());
      continue;
    }
    expect_same(op, x.device(), x.dtype(), {{name, t}});
    t->expect_shape(arg(op, name).c_str(), s);
  }
}

void check_norm_forward(const char* op, const char* variant, Device device, const Tensor& x, double eps) {
  CONVLAB_CHECK(x.device() == device, op << " (" << variant << "): x must be a " << device_name(device)
                                         << " tensor, got " << device_name(x.device()));
  check_norm_eps(op, eps);
}

void check_batchnorm_forward(const char* op, const char* variant, Device device, const NormDims& d, const Tensor& x,
                             BatchNormParam& param) {
  check_norm_forward(op, variant, device, x, param.eps);
  check_norm_momentum(op, param.momentum);
  prepare_running_stats(op, d, x, param);
}

void check_norm_backward(const char* op, const Tensor& dout, const NormCache& cache, const NormDims& d) {
  expect_same(op, cache.x.device(), cache.x.dtype(),
              {{"dout", &dout}, {"cache.mean", &cache.mean}, {"cache.inv_std", &cache.inv_std}});
  dout.expect_shape(arg(op, "dout").c_str(), cache.x.shape());
  cache.mean.expect_shape(arg(op, "cache.mean").c_str(), {d.num_groups()});
  cache.inv_std.expect_shape(arg(op, "cache.inv_std").c_str(), {d.num_groups()});
}

}  // namespace convlab
