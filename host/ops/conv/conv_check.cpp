// Shape and parameter validation of conv, shared by every variant.
#include "host/ops/conv/conv.h"

namespace convlab {

ConvDims conv_dims(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  CONVLAB_CHECK(x.defined(), "conv: x is empty");
  x.expect_float("conv: x");
  expect_same("conv", x.device(), x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  const ConvDims d = conv_dims(x.shape(), w.shape(), param);
  CONVLAB_CHECK(b.ndim() == 1 && b.dim(0) == d.F, "conv: b must have shape (" << d.F << ",) (one bias per filter of w "
                                                                              << shape_str(w.shape()) << "), got "
                                                                              << shape_str(b.shape()));
  return d;
}

ConvDims conv_dims(const Shape& x, const Shape& w, const ConvParam& param) {
  CONVLAB_CHECK(x.size() == 4, "conv: x must have shape (N, C, H, W), got " << shape_str(x));
  CONVLAB_CHECK(w.size() == 4, "conv: w must have shape (F, C, HH, WW), got " << shape_str(w));
  CONVLAB_CHECK(param.stride > 0, "conv: stride must be positive, got stride " << param.stride);
  CONVLAB_CHECK(param.pad >= 0, "conv: pad must be non-negative, got pad " << param.pad);
  ConvDims d{};
  d.N = x[0], d.C = x[1], d.H = x[2], d.W = x[3];
  d.F = w[0], d.HH = w[2], d.WW = w[3];
  d.stride = param.stride, d.pad = param.pad;
  CONVLAB_CHECK(d.N > 0 && d.C > 0 && d.H > 0 && d.W > 0, "conv: x has an empty dimension: " << shape_str(x));
  CONVLAB_CHECK(d.F > 0 && d.HH > 0 && d.WW > 0, "conv: w has an empty dimension: " << shape_str(w));
  CONVLAB_CHECK(w[1] == d.C, "conv: channel mismatch: x " << shape_str(x) << " has C = " << d.C << " but w "
                                                          << shape_str(w) << " has " << w[1]);
  const int64_t Hp = d.H + 2 * d.pad, Wp = d.W + 2 * d.pad;
  CONVLAB_CHECK(d.HH <= Hp && d.WW <= Wp, "conv: filter " << d.HH << "x" << d.WW << " is larger than the padded input "
                                                          << Hp << "x" << Wp << " (x " << shape_str(x) << ", pad "
                                                          << d.pad << ")");
  d.Hout = 1 + (Hp - d.HH) / d.stride;
  d.Wout = 1 + (Wp - d.WW) / d.stride;
  return d;
}

ConvDims conv_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param, Device device) {
  x.expect_float("conv_forward: x");
  expect_same("conv_forward", device, x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  return conv_dims(x, w, b, param);
}

ConvDims conv_check_backward(const Tensor& dout, const ConvCache& cache, Device device) {
  const ConvDims d = conv_check_forward(cache.x, cache.w, cache.b, cache.param, device);
  expect_same("conv_backward", device, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("conv_backward: dout", {d.N, d.F, d.Hout, d.Wout});
  return d;
}

}  // namespace convlab
