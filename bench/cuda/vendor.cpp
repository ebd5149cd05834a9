#include "bench/cuda/vendor.h"

#include "bench/cases.h"

namespace convlab::bench {

void attach_vendor_baselines(std::vector<Case>& cases) {
  attach_cublas_baselines(cases);
#ifdef CONVLAB_BENCH_HAVE_CUDNN
  attach_cudnn_baselines(cases);
#endif
}

}  // namespace convlab::bench
