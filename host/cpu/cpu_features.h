// What the CPU offers beyond the baseline x86-64 the library is built for.
// The hand-vectorised kernels (direct conv, 2x2 pooling) are compiled with
// target("avx2,fma") and called only when this says the CPU has both; the
// AVX-512 conv kernels (conv_avx512.h) with target("avx512f") likewise.
#pragma once

// Defined where those kernels are built: x86-64 with GCC or Clang.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CONVLAB_HAVE_AVX2_KERNELS 1
#define CONVLAB_AVX2 __attribute__((target("avx2,fma")))
#define CONVLAB_AVX512 __attribute__((target("avx512f,avx2,fma")))
#endif

namespace convlab::threaded {

// True on x86-64 CPUs with AVX2 and FMA (checked once, at run time).
bool cpu_has_avx2_fma();
bool cpu_has_avx512f();

}  // namespace convlab::threaded
