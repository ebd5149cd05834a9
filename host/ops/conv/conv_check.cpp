// Shape and parameter validation of conv, shared by every variant.
#include "host/ops/conv/conv.h"

namespace convlab {

ConvDims conv_dims(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  CONVLAB_CHECK(x.defined(), "conv: x is empty");
  x.expect_float("conv: x");
  expect_same("conv", x.device(), x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  CONVLAB_CHECK(x.ndim() == 4, "conv: x must have shape (N, C, H, W), got " << shape_str(x.shape()));
  CONVLAB_CHECK(w.ndim() == 4, "conv: w must have shape (F, C, HH, WW), got " << shape_str(w.shape()));
  CONVLAB_CHECK(param.stride > 0, "conv: stride must be positive, got stride " << param.stride);
  CONVLAB_CHECK(param.pad >= 0, "conv: pad must be non-negative, got pad " << param.pad);
  ConvDims d{};
  d.N = x.dim(0), d.C = x.dim(1), d.H = x.dim(2), d.W = x.dim(3);
  d.F = w.dim(0), d.HH = w.dim(2), d.WW = w.dim(3);
  d.stride = param.stride, d.pad = param.pad;
  CONVLAB_CHECK(d.N > 0 && d.C > 0 && d.H > 0 && d.W > 0, "conv: x has an empty dimension: " << shape_str(x.shape()));
  CONVLAB_CHECK(d.F > 0 && d.HH > 0 && d.WW > 0, "conv: w has an empty dimension: " << shape_str(w.shape()));
  CONVLAB_CHECK(w.dim(1) == d.C, "conv: channel mismatch: x " << shape_str(x.shape()) << " has C = " << d.C
                                                            << " but w " << shape_str(w.shape()) << " has "
                                                            << w.dim(1));
  CONVLAB_CHECK(b.ndim() == 1 && b.dim(0) == d.F, "conv: b must have shape (" << d.F << ",) (one bias per filter of w "
                                                                              << shape_str(w.shape()) << "), got "
                                                                              << shape_str(b.shape()));
  const int64_t Hp = d.H + 2 * d.pad, Wp = d.W + 2 * d.pad;
  CONVLAB_CHECK(d.HH <= Hp && d.WW <= Wp, "conv: filter " << d.HH << "x" << d.WW << " is larger than the padded input "
                                                          << Hp << "x" << Wp << " (x " << shape_str(x.shape())
                                                          << ", pad " << d.pad << ")");
  d.Hout = 1 + (Hp - d.HH) / d.stride;
  d.Wout = 1 + (Wp - d.WW) / d.stride;
  return d;
}

}  // namespace convlab
