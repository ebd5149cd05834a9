// Sum reductions several ops share (host launchers; float and double).
#pragma once
#include <cstdint>

namespace convlab::cuda {

// out[c] = sum_r a[r * cols + c]  (e.g. the bias gradient of affine).
template <class T>
void column_sum(const T* a, int64_t rows, int64_t cols, T* out);

// out[c] = sum_n sum_i a[(n * C + c) * inner + i]  (e.g. the bias gradient of conv).
template <class T>
void channel_sum(const T* a, int64_t N, int64_t C, int64_t inner, T* out);

// *out = (sum_i v[i]) / n, a scalar on the device (the mean loss over rows).
template <class T>
void mean_to_scalar(const T* v, int64_t n, T* out);
// *out = sum_i v[i], the same order of additions (the summed loss).
template <class T>
void sum_to_scalar(const T* v, int64_t n, T* out);

}  // namespace convlab::cuda
