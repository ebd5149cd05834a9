#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reduce.cuh"
#include "kernels/runtime/reductions.h"

namespace convlab::cuda {

// One thread per column, walking down the rows: neighbouring threads read
// neighbouring elements of a row, so every step is one coalesced row read.
template <class T>
__global__ void column_sum_kernel(const T* __restrict__ a, int64_t rows, int64_t cols, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(c, cols) {
    T s = 0;
    for (int64_t r = 0; r < rows; ++r) s += a[r * cols + c];
    out[c] = s;
  }
}

// One block per channel c; its threads stride through the N contiguous
// planes of `inner` elements (coalesced), then reduce in shared memory.
template <class T>
__global__ void channel_sum_kernel(const T* __restrict__ a, int64_t N, int64_t C, int64_t inner, T* __restrict__ out) {
  const int64_t c = blockIdx.x;
  T s = 0;
  for (int64_t n = 0; n < N; ++n) {
    const T* plane = a + (n * C + c) * inner;
    for (int64_t i = threadIdx.x; i < inner; i += blockDim.x) s += plane[i];
  }
  s = block_sum(s);
  if (threadIdx.x == 0) out[c] = s;
}

// A single block sums the vector (deterministic order) and, for the mean, divides by n.
template <class T, bool kMean>
__global__ void reduce_to_scalar_kernel(const T* __restrict__ v, int64_t n, T* __restrict__ out) {
  T s = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += v[i];
  s = block_sum(s);
  if (threadIdx.x == 0) *out = kMean ? s / static_cast<T>(n) : s;
}

template <class T>
void column_sum(const T* a, int64_t rows, int64_t cols, T* out) {
  launch_n("column_sum_kernel", cols, column_sum_kernel<T>, a, rows, cols, out);
}

template <class T>
void channel_sum(const T* a, int64_t N, int64_t C, int64_t inner, T* out) {
  if (C == 0) return;
  launch("channel_sum_kernel", channel_sum_kernel<T>, static_cast<unsigned>(C), kThreads, 0, a, N, C, inner, out);
}

template <class T>
void mean_to_scalar(const T* v, int64_t n, T* out) {
  launch("mean_to_scalar_kernel", reduce_to_scalar_kernel<T, true>, 1, 1024, 0, v, n, out);
}

template <class T>
void sum_to_scalar(const T* v, int64_t n, T* out) {
  launch("sum_to_scalar_kernel", reduce_to_scalar_kernel<T, false>, 1, 1024, 0, v, n, out);
}

template void column_sum<float>(const float*, int64_t, int64_t, float*);
template void column_sum<double>(const double*, int64_t, int64_t, double*);
template void channel_sum<float>(const float*, int64_t, int64_t, int64_t, float*);
template void channel_sum<double>(const double*, int64_t, int64_t, int64_t, double*);
template void mean_to_scalar<float>(const float*, int64_t, float*);
template void mean_to_scalar<double>(const double*, int64_t, double*);
template void sum_to_scalar<float>(const float*, int64_t, float*);
template void sum_to_scalar<double>(const double*, int64_t, double*);

}  // namespace convlab::cuda
