#include "models/model.h"

namespace convlab {

std::string param_role(const std::string& name) {
  if (name.rfind("beta", 0) == 0 || name.rfind("b", 0) == 0) return "bias";
  return "weight";
}

std::map<std::string, ParamInfo> Model::param_info() {
  std::map<std::string, ParamInfo> out;
  for (const auto& kv : params()) out[kv.first] = {type(), param_role(kv.first)};
  return out;
}

std::map<std::string, Tensor> Model::state() {
  auto s = params();
  for (auto& kv : buffers()) s[kv.first] = kv.second;
  return s;
}

void Model::load_state(const std::map<std::string, Tensor>& values) {
  auto mine = state();
  for (const auto& kv : values)
    CONVLAB_CHECK(mine.count(kv.first),
                  "load_state: the " << type() << " model has no parameter or buffer named '" << kv.first << "'");
  for (auto& kv : mine) {
    auto it = values.find(kv.first);
    CONVLAB_CHECK(it != values.end(), "load_state: missing '" << kv.first << "' for the " << type() << " model");
    CONVLAB_CHECK(it->second.shape() == kv.second.shape(),
                  "load_state: '" << kv.first << "' has shape " << shape_str(it->second.shape())
                                  << ", the model expects " << shape_str(kv.second.shape()));
    // No silent conversion: a checkpoint of another dtype is another model
    // (or a forged file); the user can cast it deliberately.
    CONVLAB_CHECK(it->second.dtype() == kv.second.dtype(),
                  "load_state: '" << kv.first << "' is stored as " << dtype_name(it->second.dtype())
                                  << ", the model expects " << dtype_name(kv.second.dtype()));
    kv.second.copy_from(it->second);
  }
}

double Model::metric_sum(const Tensor& scores, const Tensor& y) const {
  const Tensor s = scores.to(Device::cpu);
  const Tensor labels = y.to(Device::cpu);
  CONVLAB_CHECK(s.ndim() == 2 && labels.ndim() == 1 && labels.dim(0) == s.dim(0),
                "accuracy: expected scores (N, C) and labels (N,), got " << shape_str(s.shape()) << " and "
                                                                         << shape_str(labels.shape()));
  const int64_t N = s.dim(0), C = s.dim(1);
  const std::vector<double> v = s.to_vector();
  double correct = 0;
  for (int64_t i = 0; i < N; ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < C; ++c)
      if (v[i * C + c] > v[i * C + best]) best = c;
    if (best == static_cast<int64_t>(labels.item(i))) correct += 1;
  }
  return correct;
}

}  // namespace convlab
