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

ModelPtr build_model(const nlohmann::json& spec, NumpyRandom& rng, const std::string& path = "model");
std::vector<std::string> model_types();

}  // namespace convlab
