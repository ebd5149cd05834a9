// Test-time augmentation (airbench's): a classifier's scores averaged over
// views of the batch (host/ops/tta/tta_views.h), made on the model's device.
//
//   none              scores(x)
//   mirror            mean(scores(x), scores(flip(x)))
//   mirror_translate  0.5 * mirror(x) + 0.5 * mean(mirror(shift(x, -1, -1)),
//                     mirror(shift(x, +1, +1))): 6 views, shifts with one
//                     pixel of reflect padding, the shifted ones weighted half
//
// "evaluation.tta" of the run config (at the end of training: val_tta and
// test_tta in summary.json) and `convlab eval --tta LEVEL`.
#pragma once
#include <string>

#include "host/tensor.h"

namespace convlab {

class Model;

enum class TtaLevel { none, mirror, mirror_translate };

const char* tta_name(TtaLevel level);
// "none", "mirror" or "mirror_translate"; else an error naming `what` (a JSON path or an option).
TtaLevel parse_tta(const std::string& name, const std::string& what);

// The model's test-mode scores of the NCHW batch X averaged over the views of
// `level`. `mean`: the mean image (C, H, W) subtracted from X, if any; the
// views are then those of the pictures before the subtraction (see tta_view).
Tensor tta_scores(Model& model, const Tensor& X, TtaLevel level, const Tensor& mean = Tensor());

}  // namespace convlab
