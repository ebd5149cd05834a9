// Fast CPU gelu: one elementwise pass in the tensor's own precision, split
// over threads in static blocks (contiguous).
//
// float32 on CPUs with AVX-512F: 16 elements per step; with AVX2 and FMA: 8
// (the same code, gelu_vector.inc, compiled for each width). Phi(x) comes from
// erfc(|x| / sqrt(2)) (a rational-exponential fit with relative error below
// 1.2e-7 everywhere, so the left tail keeps its relative accuracy instead of
// cancelling in 1 + erf), with exp evaluated in the vector registers
// (range reduction by ln 2 and a degree-6 polynomial). The tensor is cut into
// blocks of 4096 elements split over threads, and the last, partial group of
// 8 or 16 goes through the same vector code on a padded copy, so every element gets
// the same result whatever the thread count. Elsewhere (double, other
// CPUs): the scalar formulas of gelu_check.h.
#include <algorithm>
#include <atomic>
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

std::atomic<bool> g_avx512{true};

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct Ops {
  using V = __m256;
  static constexpr int kWidth = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }  // b when b is NaN
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V fmsub(V a, V b, V c) { return _mm256_fmsub_ps(a, b, c); }
  static V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static V if_negative(V x, V a, V b) {  // a where x < 0, else b
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
  static V pow2(V n) {  // 2^n for integral n in [-126, 127]
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
  }
};
#include "host/ops/gelu/gelu_vector.inc"
}  // namespace avx2
#pragma GCC pop_options

// (GCC 12 warns that its own AVX-512 intrinsics read an uninitialised
// _mm512_undefined_ps(), GCC bug 105593; the diagnostic pragma quiets that.)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace avx512 {
struct Ops {
  using V = __m512;
  static constexpr int kWidth = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }  // b when b is NaN
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  static V fmsub(V a, V b, V c) { return _mm512_fmsub_ps(a, b, c); }
  static V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V abs(V a) { return _mm512_abs_ps(a); }
  static V if_negative(V x, V a, V b) {  // a where x < 0, else b
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), b, a);
  }
  static V pow2(V n) {  // 2^n for integral n in [-126, 127]
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
  }
};
#include "host/ops/gelu/gelu_vector.inc"
}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

// span(begin, count) over [0, n) in blocks of kBlock elements (a multiple of
// 16) split over threads: only the last block can hold a partial group.
constexpr int64_t kBlock = 1 << 12;

template <class Span>
void for_blocks(int64_t n, Span span) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
  for (int64_t b = 0; b < blocks; ++b) span(b * kBlock, std::min(kBlock, n - b * kBlock));
}

bool vector_gelu(DType dt) { return dt == DType::f32 && cpu_has_avx2_fma(); }
// The span kernel of this CPU's widest vectors (AVX-512 unless switched off).
template <bool Backward>
auto gelu_span_kernel() {
  return g_avx512.load() && cpu_has_avx512f() ? &avx512::gelu_span<Backward> : &avx2::gelu_span<Backward>;
}

#endif  // CONVLAB_HAVE_AVX2_KERNELS

}  // namespace

bool set_gelu_avx512_enabled(bool on) {
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  return g_avx512.exchange(on);
#else
  return on;
#endif
}

Forward<GeluCache> gelu_forward(const Tensor& x) {
  check_gelu_forward(x, Device::cpu);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const int64_t n = x.numel();
#ifdef CONVLAB_HAVE_AVX2_KERNELS
  if (vector_gelu(x.dtype())) {
    const float* px = x.data<float>();
    float* po = out.data<float>();
    const auto span = gelu_span_kernel<false>();
    for_blocks(n, [&](int64_t i, int64_t count) { span(px + i, nullptr, po + i, count); });
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
    const auto span = gelu_span_kernel<true>();
    for_blocks(n, [&](int64_t i, int64_t count) { span(px + i, pd + i, pdx + i, count); });
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
