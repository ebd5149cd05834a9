// Parameter validation of dropout, shared by every variant.
#include <cmath>

#include "host/ops/dropout/dropout.h"

namespace convlab {

void check_dropout_param(const DropoutParam& param) {
  CONVLAB_CHECK(std::isfinite(param.p) && param.p > 0.0 && param.p <= 1.0,
                "dropout: keep probability p must satisfy 0 < p <= 1, got p = " << param.p);
  CONVLAB_CHECK(param.mode == Mode::train || param.mode == Mode::test, "dropout: mode must be train or test");
}

}  // namespace convlab
