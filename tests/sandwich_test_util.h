// Helpers of the sandwich layer tests (tests/test_sandwich.cpp, and the conv
// notebook's conv_relu_pool check in tests/test_conv_relu_pool.cpp).
#pragma once
#include "host/gradcheck.h"
#include "host/ops/common.h"
#include "host/tensor.h"

namespace convlab::test {

struct Errors3 {
  double dx, dw, db;
};

// Analytic vs numerical gradients of sum(layer(x, w, b) * dout).
template <class Fwd, class Bwd>
Errors3 sandwich_errors(Tensor x, Tensor w, Tensor b, const Tensor& dout, Fwd fwd, Bwd bwd) {
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return fwd(v, w, b).out; }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return fwd(x, v, b).out; }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return fwd(x, w, v).out; }, b, dout);
  Grads g = bwd(dout, fwd(x, w, b).cache);
  return {rel_error(dx_num, g.dx), rel_error(dw_num, g.dw), rel_error(db_num, g.db)};
}

}  // namespace convlab::test
