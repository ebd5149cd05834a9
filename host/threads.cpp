#include "host/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef CONVLAB_HAVE_BLAS
// OpenBLAS's own control (declared here so that any cblas.h will do).
extern "C" void openblas_set_num_threads(int num_threads);
#endif

namespace convlab {

int hardware_threads() {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  if (n <= 0) n = hardware_threads();
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
#ifdef CONVLAB_HAVE_BLAS
  openblas_set_num_threads(1);  // each OpenMP thread makes its own single-threaded calls
#endif
}

int get_num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace convlab
