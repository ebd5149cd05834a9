// Included by the CPU reference tests: every op called without an explicit
// variant runs its "reference" variant (the CPU default is "threaded"), so these
// tests check the ground truth itself.
#pragma once
#include "host/ops/registry.h"

namespace convlab::test {
inline const bool kUseReferenceVariants = [] {
  set_preferred_variant(Device::cpu, "reference");
  return true;
}();
}  // namespace convlab::test
