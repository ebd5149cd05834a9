// A toy model for the Solver tests: loss = 0.5 * sum(W^2) (so dW = W), the
// labels of every batch recorded, and an optional NaN loss at one step.
#pragma once
#include <cmath>
#include <limits>
#include <vector>

#include "host/data/dataset.h"
#include "models/model.h"

namespace convlab::test {

class QuadraticModel : public Model {
 public:
  explicit QuadraticModel(std::vector<double> w) : w_(Tensor::from_vector(w, {static_cast<int64_t>(w.size())})) {}
  std::string type() const override { return "quadratic"; }
  Tensor loss(const Tensor& /*X*/, const Tensor& y) override {
    batches.push_back(y.to_vector());
    dw_ = w_.clone();
    double s = 0;
    for (int64_t i = 0; i < w_.numel(); ++i) s += 0.5 * w_.item(i) * w_.item(i);
    ++calls;
    if (calls == nan_at_call) s = std::numeric_limits<double>::quiet_NaN();
    return Tensor::scalar(s);
  }
  // Scores (N, 2): class 1 wins while W[0] > 0, class 0 after.
  Tensor scores(const Tensor& X) override {
    const int64_t N = X.dim(0);
    Tensor s({N, 2}, DType::f64);
    for (int64_t i = 0; i < N; ++i) s.set_item(i * 2 + 1, w_.item(0));
    return s;
  }
  std::map<std::string, Tensor> params() override { return {{"W", w_}}; }
  std::map<std::string, Tensor> grads() override { return {{"W", dw_}}; }
  void to(Device) override {}
  Device device() const override { return Device::cpu; }
  nlohmann::json describe() const override { return {{"type", "quadratic"}}; }

  std::vector<std::vector<double>> batches;
  int calls = 0;
  int nan_at_call = -1;

 private:
  Tensor w_, dw_;
};

// n samples of shape (2,), labels given.
inline Dataset toy_dataset(const std::vector<int>& labels) {
  const int64_t n = static_cast<int64_t>(labels.size());
  std::vector<double> l(labels.begin(), labels.end());
  return Dataset(Tensor({n, 2}, DType::f32), Tensor::from_vector(l, {n}, DType::i32), Tensor());
}

}  // namespace convlab::test
