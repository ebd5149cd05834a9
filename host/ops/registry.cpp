#include "host/ops/registry.h"

namespace convlab {

void ensure_builtin_ops_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_cpu_reference_ops();
    register_cpu_fast_ops();
    register_cuda_ops();
  });
}

}  // namespace convlab
