// OpenMP helpers of the fast CPU ops: a pragma macro that vanishes without
// OpenMP, the work size below which a loop stays on one thread, and the
// thread index inside a parallel region.
//
// All the parallelism of the fast CPU ops is OpenMP's: OpenBLAS is kept
// single-threaded and called from inside the OpenMP tasks (gemm_parallel
// splits large products over the threads), so the two thread pools never
// compete for the cores.
#pragma once
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

#define CONVLAB_PRAGMA_(...) _Pragma(#__VA_ARGS__)
#ifdef _OPENMP
// CONVLAB_OMP(parallel for if(n > 1)) expands to #pragma omp parallel for if(n > 1).
#define CONVLAB_OMP(...) CONVLAB_PRAGMA_(omp __VA_ARGS__)
#else
#define CONVLAB_OMP(...)
#endif

namespace convlab::threaded {

// Elementwise loops shorter than this run serially: forking threads costs
// more than it saves on a few thousand elements.
constexpr int64_t kParallelGrain = 1 << 15;

inline bool worth_threads(int64_t work) { return work >= kParallelGrain; }

// Index of the calling thread in the current parallel region (0 outside one),
// and the most threads a region may have.
inline int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}
inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace convlab::threaded
