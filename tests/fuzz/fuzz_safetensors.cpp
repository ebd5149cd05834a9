// Fuzz target: safetensors checkpoints (load_safetensors, host/solver/safetensors.h),
// then Model::load_state of a small fixed model with what loaded, as `convlab eval`
// and --resume do, so that the name, shape and dtype checks are exercised too.
// Input: the file's bytes.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "host/random/numpy_random.h"
#include "host/solver/safetensors.h"
#include "models/model_factory.h"
#include "tests/fuzz/fuzz_common.h"

namespace {
// A known-good spec, built once: W1 (4, 8), b1, gamma1, beta1, running_mean1,
// running_var1 (8), W2 (8, 3), b2 (3); float32. The corpus's valid seeds match it.
convlab::Model& small_model() {
  static convlab::ModelPtr model = [] {
    convlab::NumpyRandom rng(0);
    return convlab::build_model({{"type", "fc_net"},
                                 {"hidden_dims", {8}},
                                 {"input_dim", 4},
                                 {"num_classes", 3},
                                 {"normalization", "batchnorm"}},
                                rng);
  }();
  return *model;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static convlab::fuzz::TempFile file("fuzz-safetensors");
  convlab::Model& model = small_model();
  const std::string& path = file.write(data, size);
  convlab::fuzz::expect_only_convlab_errors("fuzz_safetensors", [&] {
    const convlab::SafeTensors st = convlab::load_safetensors(path);
    model.load_state(st.tensors);
  });
  return 0;
}
