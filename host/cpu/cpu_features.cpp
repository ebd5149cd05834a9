#include "host/cpu/cpu_features.h"

namespace convlab::threaded {

bool cpu_has_avx2_fma() {
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

bool cpu_has_avx512f() {
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  static const bool ok = __builtin_cpu_supports("avx512f") && cpu_has_avx2_fma();
  return ok;
#else
  return false;
#endif
}

}  // namespace convlab::threaded
