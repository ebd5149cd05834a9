// Helpers for the model tests: numeric gradient checks of a whole model.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "host/gradcheck.h"
#include "models/model.h"

namespace convlab::test {

// For every parameter: max relative error between the analytic gradient of
// model.loss(X, y) and the centred-difference gradient (cs231n's check).
// norm_errors (optional) receives ||num - analytic|| / max(||num|| + ||analytic||, 1e-12) per parameter.
inline std::map<std::string, double> model_grad_errors(Model& model, const Tensor& X, const Tensor& y, double h,
                                                       std::map<std::string, double>* norm_errors = nullptr) {
  model.loss(X, y);
  std::map<std::string, Tensor> analytic;
  for (auto& kv : model.grads()) analytic[kv.first] = kv.second.clone();
  std::map<std::string, double> errors;
  for (auto& kv : model.params()) {
    Tensor p = kv.second;  // shares storage: perturbing it perturbs the model
    const Tensor num = eval_numerical_gradient([&](const Tensor&) { return model.loss_value(X, y); }, p, h);
    errors[kv.first] = rel_error(num, analytic.at(kv.first));
    if (norm_errors) {
      const auto a = num.to_vector(), b = analytic.at(kv.first).to_vector();
      double d = 0, na = 0, nb = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      (*norm_errors)[kv.first] = std::sqrt(d) / std::max(std::sqrt(na) + std::sqrt(nb), 1e-12);
    }
  }
  return errors;
}

// Elements where the analytic and numeric gradients disagree by more than
// atol + rtol * max(|a|, |n|). Unlike the max relative error this tolerates
// parameters whose true gradient is exactly zero (a bias right before a
// batchnorm), where the numeric gradient is rounding noise.
inline int64_t model_grad_mismatches(Model& model, const Tensor& X, const Tensor& y, double h, double rtol, double atol,
                                     std::map<std::string, int64_t>* per_param = nullptr) {
  model.loss(X, y);
  std::map<std::string, Tensor> analytic;
  for (auto& kv : model.grads()) analytic[kv.first] = kv.second.clone();
  int64_t bad = 0;
  for (auto& kv : model.params()) {
    Tensor p = kv.second;
    const auto num = eval_numerical_gradient([&](const Tensor&) { return model.loss_value(X, y); }, p, h).to_vector();
    const auto ana = analytic.at(kv.first).to_vector();
    int64_t b = 0;
    for (std::size_t i = 0; i < num.size(); ++i)
      if (std::fabs(num[i] - ana[i]) > atol + rtol * std::max(std::fabs(num[i]), std::fabs(ana[i]))) ++b;
    if (per_param) (*per_param)[kv.first] = b;
    bad += b;
  }
  return bad;
}

}  // namespace convlab::test
