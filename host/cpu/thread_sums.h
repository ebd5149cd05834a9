// Sums that each OpenMP thread accumulates in a private buffer and that are
// added up at the end in thread order, so the result does not depend on
// which thread finished first: the weight gradients of the fast conv ops.
#pragma once
#include <algorithm>
#include <cstdint>

#include "host/cpu/parallel.h"
#include "host/cpu/workspace.h"

namespace convlab::threaded {

// Runs body(mine) on every thread of a parallel region (one thread unless
// `threaded`), `mine` being that thread's zeroed buffer of n elements; body
// shares its loops out with orphaned `omp for` constructs. Then calls
// store(e, sum) for each element e with the sum over the buffers. Uses
// workspace slot 3 of the calling thread.
template <class T, class Body, class Store>
void sum_over_threads(int64_t n, bool threaded, Body&& body, Store&& store) {
  const int nthreads = threaded ? max_threads() : 1;
  T* partial = workspace<T>(3, nthreads * n);
  std::fill(partial, partial + nthreads * n, T(0));
  CONVLAB_OMP(parallel if (threaded))
  body(partial + thread_index() * n);
  CONVLAB_OMP(parallel for schedule(static) if(nthreads > 1 && worth_threads(nthreads * n)))
  for (int64_t e = 0; e < n; ++e) {
    T s = 0;
    for (int i = 0; i < nthreads; ++i) s += partial[i * n + e];
    store(e, s);
  }
}

}  // namespace convlab::threaded
