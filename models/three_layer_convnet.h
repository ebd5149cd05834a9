// ThreeLayerConvNet (cs231n cnn.py): conv - relu - 2x2 max pool - affine -
// relu - affine - softmax. The conv keeps the spatial size (stride 1, pad
// (filter_size - 1) / 2). Parameters W1, b1 (conv), W2, b2, W3, b3;
// weights weight_scale * randn drawn in that order, biases zero.
#pragma once
#include "models/layer_stack_model.h"

namespace convlab {

struct ThreeLayerConvNetOptions {
  Shape input_dim = {3, 32, 32};
  int64_t num_filters = 32;
  int64_t filter_size = 7;
  int64_t hidden_dim = 100;
  int64_t num_classes = 10;
  double weight_scale = 1e-3;
  double reg = 0.0;
  DType dtype = DType::f32;
  bool fusion = true;  // conv-relu-pool as one conv_relu_pool op
};

std::unique_ptr<LayerStackModel> make_three_layer_convnet(const ThreeLayerConvNetOptions& o, NumpyRandom& rng);

}  // namespace convlab
