// FullyConnectedNet (cs231n fc_net.py): {affine - [batch/layer norm] - relu -
// [dropout]} x (L - 1) - affine - softmax. Parameters W1..WL, b1..bL and,
// with normalization, gamma1..gamma(L-1), beta1..beta(L-1) (ones / zeros).
// dropout_keep_ratio 1 means no dropout; seed fixes the dropout masks.
#pragma once
#include <optional>

#include "host/ops/sandwich/sandwich.h"
#include "models/layer_stack_model.h"

namespace convlab {

struct FullyConnectedNetOptions {
  std::vector<int64_t> hidden_dims = {100, 100};
  int64_t input_dim = 3 * 32 * 32;
  int64_t num_classes = 10;
  double dropout_keep_ratio = 1.0;
  Normalization normalization = Normalization::none;
  double reg = 0.0;
  double weight_scale = 1e-2;
  DType dtype = DType::f32;
  std::optional<uint64_t> seed;  // dropout seed; none: taken from the model's rng
};

std::unique_ptr<LayerStackModel> make_fc_net(const FullyConnectedNetOptions& o, NumpyRandom& rng);

}  // namespace convlab
