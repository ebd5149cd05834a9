#include "host/ops/max_pool/pool_planes.h"

#include <algorithm>
#include <type_traits>

#include "host/cpu/cpu_features.h"
#include "host/cpu/parallel.h"

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace convlab::threaded {

namespace {

// Output row i of one plane. Each window
// starts as its top-left element, then for every other window offset
// (r, q), in row-major order, keeps the larger value (ties keep the
// earlier). The inner loop runs across independent windows, so it has no
// dependency chain and no branches.
template <class T>
void pool_row(const PoolDims& d, const T* plane, int64_t i, T* o, int32_t* am) {
  const int64_t W = d.W, s = d.stride, top = i * s * W;
  for (int64_t j = 0; j < d.Wout; ++j) {
    o[j] = plane[top + j * s];
    am[j] = int32_t(top + j * s);
  }
  for (int64_t r = 0; r < d.ph; ++r)
    for (int64_t q = (r == 0 ? 1 : 0); q < d.pw; ++q) {
      const int64_t off = top + r * W + q;
      const T* src = plane + off;
      for (int64_t j = 0; j < d.Wout; ++j) {
        const T v = src[j * s];
        const int32_t greater = v > o[j];
        o[j] = std::max(o[j], v);                           // keeps o[j] unless v is greater, like `greater`
        am[j] += (int32_t(off + j * s) - am[j]) * greater;  // arithmetic select: no branch to mispredict
      }
    }
}

#ifdef CONVLAB_HAVE_AVX2_KERNELS
// The even (odd) columns of the 16 in a, b, in order.
CONVLAB_AVX2 inline __m256 evens(__m256 a, __m256 b) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
}
CONVLAB_AVX2 inline __m256 odds(__m256 a, __m256 b) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

// 2x2 windows, stride 2, float: 8 windows per step. Two loads per input row
// give 16 columns; even and odd columns are separated (shuffle, then a lane
// permute back into order) and the four candidates are taken in row-major
// order with a strict > compare, as pool_row does. The last, partial step
// (rows of 15, 7 or 3 windows) loads and stores under a mask, so no column
// is read past the windows' own.
CONVLAB_AVX2 void pool_row_2x2(const PoolDims& d, const float* plane, int64_t i, float* o, int32_t* am) {
  const int64_t W = d.W, top = 2 * i * W;
  const float* r0 = plane + top;
  const float* r1 = r0 + W;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i step = _mm256_slli_epi32(lane, 1);
  const __m256i one = _mm256_set1_epi32(1), down = _mm256_set1_epi32(static_cast<int>(W));
  for (int64_t j = 0; j < d.Wout; j += 8) {
    const int n = static_cast<int>(std::min<int64_t>(8, d.Wout - j));  // windows in this step
    __m256 a0, a1, b0, b1;
    if (n == 8) {
      a0 = _mm256_loadu_ps(r0 + 2 * j), a1 = _mm256_loadu_ps(r0 + 2 * j + 8);
      b0 = _mm256_loadu_ps(r1 + 2 * j), b1 = _mm256_loadu_ps(r1 + 2 * j + 8);
    } else {  // columns 2j .. 2j + 2n - 1
      const __m256i lo = _mm256_cmpgt_epi32(_mm256_set1_epi32(2 * n), lane);
      const __m256i hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(2 * n - 8), lane);
      a0 = _mm256_maskload_ps(r0 + 2 * j, lo), a1 = _mm256_maskload_ps(r0 + 2 * j + 8, hi);
      b0 = _mm256_maskload_ps(r1 + 2 * j, lo), b1 = _mm256_maskload_ps(r1 + 2 * j + 8, hi);
    }
    const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(top + 2 * j)), step);
    __m256 best = evens(a0, a1);
    __m256i arg = idx;
    const __m256 cand[3] = {odds(a0, a1), evens(b0, b1), odds(b0, b1)};
    const __m256i where[3] = {_mm256_add_epi32(idx, one), _mm256_add_epi32(idx, down),
                              _mm256_add_epi32(_mm256_add_epi32(idx, down), one)};
    for (int k = 0; k < 3; ++k) {
      const __m256 greater = _mm256_cmp_ps(cand[k], best, _CMP_GT_OQ);
      best = _mm256_blendv_ps(best, cand[k], greater);
      arg = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(arg), _mm256_castsi256_ps(where[k]), greater));
    }
    if (n == 8) {
      _mm256_storeu_ps(o + j, best);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(am + j), arg);
    } else {
      const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
      _mm256_maskstore_ps(o + j, keep, best);
      _mm256_maskstore_epi32(am + j, keep, arg);
    }
  }
}
#endif

}  // namespace

// One plane per task, row by row.
template <class T>
void pool_planes(const PoolDims& d, const T* x, T* out, int32_t* argmax) {
  const int64_t planes = d.N * d.C, HW = d.H * d.W, P = d.Hout * d.Wout;
  bool two_by_two = false;
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  two_by_two = std::is_same_v<T, float> && d.ph == 2 && d.pw == 2 && d.stride == 2 && cpu_has_avx2_fma();
#endif
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(planes * P * d.ph * d.pw)))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const T* plane = x + pl * HW;
    for (int64_t i = 0; i < d.Hout; ++i) {
      T* o = out + pl * P + i * d.Wout;
      int32_t* am = argmax + pl * P + i * d.Wout;
#ifdef CONVLAB_HAVE_AVX2_KERNELS
      if constexpr (std::is_same_v<T, float>)
        if (two_by_two) {
          pool_row_2x2(d, plane, i, o, am);
          continue;
        }
#endif
      pool_row(d, plane, i, o, am);
    }
  }
}

template void pool_planes<float>(const PoolDims&, const float*, float*, int32_t*);
template void pool_planes<double>(const PoolDims&, const double*, double*, int32_t*);

}  // namespace convlab::threaded
