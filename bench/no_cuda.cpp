// Without CUDA: no GPU backend and no vendor baselines.
#include "bench/cases.h"

namespace convlab::bench {

std::unique_ptr<Backend> make_cuda_backend(std::string& why) {
  why = "convlab was built without CUDA";
  return nullptr;
}

void attach_vendor_baselines(std::vector<Case>&) {}

}  // namespace convlab::bench
