// OpenMP helpers of the fast CPU ops: a pragma macro that vanishes without
// OpenMP, and the work size below which a loop stays on one thread.
#pragma once
#include <cstdint>

#define CONVLAB_PRAGMA_(...) _Pragma(#__VA_ARGS__)
#ifdef _OPENMP
// CONVLAB_OMP(parallel for if(n > 1)) expands to #pragma omp parallel for if(n > 1).
#define CONVLAB_OMP(...) CONVLAB_PRAGMA_(omp __VA_ARGS__)
#else
#define CONVLAB_OMP(...)
#endif

namespace convlab::fast {

// Elementwise loops shorter than this run serially: forking threads costs
// more than it saves on a few thousand elements.
constexpr int64_t kParallelGrain = 1 << 15;

inline bool worth_threads(int64_t work) { return work >= kParallelGrain; }

}  // namespace convlab::fast
