// sequential: any stack of layers described in JSON (model.layers), e.g.
//   {"type": "sequential", "input_dim": [3, 32, 32], "weight_scale": "kaiming",
//    "layers": [{"type": "conv", "num_filters": 32, "filter_size": 3},
//               {"type": "spatial_batchnorm"}, {"type": "relu"},
//               {"type": "max_pool"}, {"type": "affine", "out_dim": 10}]}
// Layer types: conv, spatial_batchnorm, spatial_groupnorm, relu, max_pool,
// affine, batchnorm, layernorm, dropout (keys in docs/config.md). Weight
// layers are numbered W1/b1, W2/b2, ... in order; a norm layer takes the
// number of the weight layer before it (gamma1/beta1 after W1).
#pragma once
#include <nlohmann/json.hpp>

#include "host/config/json_reader.h"
#include "models/layer_stack_model.h"

namespace convlab {

// Reads the model object (JSON path in `r`); draws weights from rng in layer order.
std::unique_ptr<LayerStackModel> make_sequential(config::JsonReader& r, NumpyRandom& rng);

}  // namespace convlab
