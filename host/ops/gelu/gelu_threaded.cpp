// Fast CPU gelu: one elementwise pass in the tensor's own precision, split
// over threads in static blocks (contiguous).
//
// float32 on CPUs with AVX2 and FMA: 8 elements per step. Phi(x) comes from
// erfc(|x| / sqrt(2)) (a rational-exponential fit with relative error below
// 1.2e-7 everywhere, so the left tail keeps its relative accuracy instead of
// cancelling in 1 + erf), with exp evaluated in the vector registers
// (range reduction by ln 2 and a degree-6 polynomial). The tensor is cut into
// blocks of 4096 elements split over threads, and the last, partial group of
// 8 goes through the same vector code on a padded copy, so every element gets
// the same result whatever the thread count. Elsewhere (double, other
// CPUs): the scalar formulas of gelu_check.h.
#include <algorithm>
#include <cstring>

#include "host/cpu/cpu_features.h"
#include "host/cpu/parallel.h"
#include "host/ops/gelu/gelu_check.h"

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace convlab::threaded {

namespace {

#ifdef CONVLAB_HAVE_AVX2_KERNELS

// e^(a + a_lo) for 8 floats, a_lo a small correction to a (the rounding
// error of a product): a = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two
// parts so r is exact), r += a_lo, e^r = 1 + r + r^2 p(r), then the exponent
// n added to the bits. Arguments below -87 are raised to -87 (the callers only
// need e^a to be negligible there); NaN stays NaN.
CONVLAB_AVX2 inline __m256 exp8(__m256 a, __m256 a_lo = _mm256_setzero_ps()) {
  a = _mm256_max_ps(_mm256_set1_ps(-87.0f), a);  // NaN in a passes through
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(a, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), a);
  r = _mm256_add_ps(_mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r), a_lo);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 er = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(er, _mm256_castsi256_ps(bits));
}

// Phi(x) and phi(x) for 8 floats. With z = |x| / sqrt(2) and t = 1 / (1 + z/2),
// erfc(z) = t exp(-z^2) exp(q(t)) (q: a degree-9 polynomial), Phi(x) =
// erfc(z) / 2 for x < 0 and 1 - erfc(z) / 2 otherwise; phi(x) = exp(-z^2) / sqrt(2 pi).
struct Normal8 {
  __m256 cdf, pdf;
};

CONVLAB_AVX2 inline Normal8 normal8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(0.70710678118654752f));
  const __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1.0f)));
  __m256 q = _mm256_set1_ps(0.17087277f);
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.82215223f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.48851587f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.13520398f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.27886807f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.18628806f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.09678418f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.37409196f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.00002368f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.26551223f));
  // exp(-x^2 / 2) from x itself: x^2 = hi + lo exactly (the FMA gives lo), so
  // the far tail, where e^(-x^2/2) magnifies any error in its argument, keeps
  // its relative accuracy.
  const __m256 hi = _mm256_mul_ps(x, x), lo = _mm256_fmsub_ps(x, x, hi);
  const __m256 minus_half = _mm256_set1_ps(-0.5f);
  const __m256 gauss = exp8(_mm256_mul_ps(hi, minus_half), _mm256_mul_ps(lo, minus_half));
  const __m256 half_erfc = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(t, gauss), exp8(q)), _mm256_set1_ps(0.5f));
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 cdf = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), half_erfc), half_erfc, negative);
  return {cdf, _mm256_mul_ps(gauss, _mm256_set1_ps(0.39894228040143267794f))};
}

// 8 elements: out = gelu(x) (Backward false; dout unused) or
// out = dout * gelu'(x) (Backward true).
template <bool Backward>
CONVLAB_AVX2 inline void gelu8(const float* x, const float* dout, float* out) {
  const __m256 v = _mm256_loadu_ps(x);
  const Normal8 nd = normal8(v);
  if constexpr (Backward)
    _mm256_storeu_ps(out, _mm256_mul_ps(_mm256_loadu_ps(dout), _mm256_fmadd_ps(v, nd.pdf, nd.cdf)));
  else
    _mm256_storeu_ps(out, _mm256_mul_ps(v, nd.cdf));
}

// A span of elements [0, n): whole groups of 8 in the registers, then the
// partial group (n % 8 elements) through zero-padded copies.
template <bool Backward>
CONVLAB_AVX2 void gelu_span(const float* x, const float* dout, float* out, int64_t n) {
  const int64_t full = n / 8 * 8;
  for (int64_t i = 0; i < full; i += 8) gelu8<Backward>(x + i, Backward ? dout + i : nullptr, out + i);
  if (full == n) return;
  const std::size_t tail = static_cast<std::size_t>(n - full) * sizeof(float);
  alignas(32) float px[8] = {}, pd[8] = {}, po[8];
  std::memcpy(px, x + full, tail);
  if (Backward) std::memcpy(pd, dout + full, tail);
  gelu8<Backward>(px, pd, po);
  std::memcpy(out + full, po, tail);
}

// span(begin, count) over [0, n) in blocks of kBlock elements (a multiple of
// 8) split over threads: only the last block can hold a partial group.
constexpr int64_t kBlock = 1 << 12;

template <class Span>
void for_blocks(int64_t n, Span span) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
  for (int64_t b = 0; b < blocks; ++b) span(b * kBlock, std::min(kBlock, n - b * kBlock));
}

bool vector_gelu(DType dt) { return dt == DType::f32 && cpu_has_avx2_fma(); }

#endif  // CONVLAB_HAVE_AVX2_KERNELS

}  // namespace

Forward<GeluCache> gelu_forward(const Tensor& x) {
  check_gelu_forward(x, Device::cpu);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const int64_t n = x.numel();
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  if (vector_gelu(x.dtype())) {
    const float* px = x.data<float>();
    float* po = out.data<float>();
    for_blocks(n, [&](int64_t i, int64_t count) { gelu_span<false>(px + i, nullptr, po + i, count); });
    return {out, GeluCache{x}};
  }
#endif
  dispatch_floating(x.dtype(), "gelu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) po[i] = gelu_value(px[i]);
  });
  return {out, GeluCache{x}};
}

Tensor gelu_backward(const Tensor& dout, const GeluCache& cache) {
  check_gelu_backward(dout, cache, Device::cpu);
  const Tensor& x = cache.x;
  Tensor dx = Tensor::empty(x.shape(), x.dtype());
  const int64_t n = x.numel();
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  if (vector_gelu(x.dtype())) {
    const float *px = x.data<float>(), *pd = dout.data<float>();
    float* pdx = dx.data<float>();
    for_blocks(n, [&](int64_t i, int64_t count) { gelu_span<true>(px + i, pd + i, pdx + i, count); });
    return dx;
  }
#endif
  dispatch_floating(x.dtype(), "gelu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pd = dout.data<T>();
    T* pdx = dx.data<T>();
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) pdx[i] = gelu_grad(px[i], pd[i]);
  });
  return dx;
}

}  // namespace convlab::threaded
