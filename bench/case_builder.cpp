#include "bench/case_builder.h"

#include "host/random/counter_rng.h"

namespace convlab::bench {

Tensor random_tensor(const Shape& shape, Device device, uint64_t seed, double scale) {
  Tensor t(shape, DType::f32);
  float* p = t.data<float>();
  const float s = static_cast<float>(scale);
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = s * (2.0f * counter_uniform01(seed, static_cast<uint64_t>(i)) - 1.0f);
  return t.to(device);
}

std::vector<LayerInput> layer_inputs(const Shape& xs, const Shape& ws, int64_t nb, Device device, int sets,
                                     uint64_t seed0) {
  std::vector<LayerInput> ins;
  for (int s = 0; s < sets; ++s) {
    const uint64_t k = static_cast<uint64_t>(s) * 16 + seed0;
    ins.push_back(
        {random_tensor(xs, device, k), random_tensor(ws, device, k + 1, 0.1), random_tensor({nb}, device, k + 2)});
  }
  return ins;
}

Tensor random_labels(int64_t n, int64_t classes, Device device, uint64_t seed) {
  Tensor t({n}, DType::i32);
  int32_t* p = t.data<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    const auto c =
        static_cast<int64_t>(counter_uniform01(seed, static_cast<uint64_t>(i)) * static_cast<float>(classes));
    p[i] = static_cast<int32_t>(c < classes ? c : classes - 1);
  }
  return t.to(device);
}

std::string dims_str(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + ")";
}

}  // namespace convlab::bench
