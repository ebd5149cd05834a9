#include "host/solver/tta.h"

#include "host/ops/tta/tta_views.h"
#include "host/solver/lerp.h"
#include "models/model.h"

namespace convlab {

const char* tta_name(TtaLevel level) {
  switch (level) {
    case TtaLevel::none:
      return "none";
    case TtaLevel::mirror:
      return "mirror";
    case TtaLevel::mirror_translate:
      return "mirror_translate";
  }
  return "?";
}

TtaLevel parse_tta(const std::string& name, const std::string& what) {
  for (TtaLevel l : {TtaLevel::none, TtaLevel::mirror, TtaLevel::mirror_translate})
    if (name == tta_name(l)) return l;
  throw Error(what + ": expected one of \"none\", \"mirror\", \"mirror_translate\", got \"" + name + "\"");
}

namespace {

// A model may hand back a buffer that its next forward overwrites: keep a copy.
Tensor scores_of(Model& model, const Tensor& X) { return model.scores(X).clone(); }

// mean(scores(v), scores(flip(v))) of the view shifted by (d, d).
Tensor mirror_scores(Model& model, const Tensor& X, int d, const Tensor& mean) {
  Tensor s = scores_of(model, d == 0 ? X : tta_view(X, false, d, d, mean));
  lerp_(s, scores_of(model, tta_view(X, true, d, d, mean)), 0.5);
  return s;
}

}  // namespace

Tensor tta_scores(Model& model, const Tensor& X, TtaLevel level, const Tensor& mean) {
  if (level == TtaLevel::none) return model.scores(X);
  X.expect_ndim("test-time augmentation: the batch (N, C, H, W)", 4);
  Tensor s = mirror_scores(model, X, 0, mean);
  if (level == TtaLevel::mirror) return s;
  Tensor translated = mirror_scores(model, X, -1, mean);
  lerp_(translated, mirror_scores(model, X, +1, mean), 0.5);
  lerp_(s, translated, 0.5);
  return s;
}

}  // namespace convlab
