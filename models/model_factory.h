// Builds a model from the "model" section of a run config (validated, with
// JSON paths in errors), drawing the initial weights from rng (the run's
// NumpyRandom, seeded by solver.seed, as np.random.seed before the model in
// the notebooks).
//
// Types: three_layer_convnet, fc_net, sequential. A model type with its own
// training path (e.g. a regression model that is not trained by the Solver)
// is dispatched in host/run/train.h before this factory is reached.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/random/numpy_random.h"
#include "models/model.h"

namespace convlab {

// Largest size a config may give a model dimension (input_dim entries,
// hidden_dims): a million, far beyond any real layer; products of three such
// sizes stay within int64, and every tensor's size is then checked again by
// shape_numel (host/tensor.h).
constexpr int64_t kMaxModelDim = int64_t(1) << 20;

ModelPtr build_model(const nlohmann::json& spec, NumpyRandom& rng, const std::string& path = "model");
std::vector<std::string> model_types();

}  // namespace convlab
