// Tensor-core and asynchronous-copy instructions for convlab's kernels, one
// inline function each: the PTX on a GPU (sm_80 and up), the CUDA emulator's
// versions of them (tests/cuda_emulator/tensor_core.cpp, scheduler.cpp) in
// the emulator build, so that the same kernel source runs in both.
//
//   mma_tf32_m16n8k8(d, a, b)    d += a b: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
//   mma_bf16_m16n8k16(d, a, b)   d += a b: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//   tf32_bits(x)                 cvt.rna.tf32.f32 (to nearest, ties away from zero)
//   bf16x2_bits(lo, hi)          two floats to bf16 (nearest even), lo in the lower half
//   cp_async<Bytes>(dst, src, n) cp.async.ca.shared.global: Bytes bytes, the first n read,
//                                the rest zero (n = 0: no read; a zero-filled element)
//   cp_async_commit()            cp.async.commit_group
//   cp_async_wait<N>()           cp.async.wait_group N
// The fragment layouts (which lane holds which element) are the PTX ISA's,
// written out in the emulator's cuda_runtime.h.
#pragma once
#include <cuda_bf16.h>

#include <cstdint>

namespace convlab::cuda {

#if defined(CONVLAB_CUDA_EMULATOR)

__device__ __forceinline__ uint32_t tf32_bits(float x) { return ::convlab_emu::cvt_rna_tf32(x); }

__device__ __forceinline__ void mma_tf32_m16n8k8(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  const float c[4] = {d[0], d[1], d[2], d[3]};
  ::convlab_emu::mma_m16n8k8_tf32(d, a, b, c);
}

__device__ __forceinline__ void mma_bf16_m16n8k16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  const float c[4] = {d[0], d[1], d[2], d[3]};
  ::convlab_emu::mma_m16n8k16_bf16(d, a, b, c);
}

template <int Bytes>
__device__ __forceinline__ void cp_async(void* shared_dst, const void* global_src, int src_bytes) {
  ::convlab_emu::cp_async(shared_dst, global_src, Bytes, static_cast<std::size_t>(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { ::convlab_emu::cp_async_commit(); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  ::convlab_emu::cp_async_wait(N);
}

#else

// The instructions exist from sm_80 on; a build for an older architecture
// compiles the kernels that use them into a trap (the host side refuses to
// launch them there: require_tensor_cores, kernels/runtime/launch.h).
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#define CONVLAB_NO_TENSOR_CORES 1
#endif

__device__ __forceinline__ uint32_t tf32_bits(float x) {
#ifdef CONVLAB_NO_TENSOR_CORES
  __trap();
  return 0;
#else
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
#endif
}

__device__ __forceinline__ void mma_tf32_m16n8k8(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#ifdef CONVLAB_NO_TENSOR_CORES
  __trap();
#else
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

__device__ __forceinline__ void mma_bf16_m16n8k16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#ifdef CONVLAB_NO_TENSOR_CORES
  __trap();
#else
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

template <int Bytes>
__device__ __forceinline__ void cp_async(void* shared_dst, const void* global_src, int src_bytes) {
  static_assert(Bytes == 4 || Bytes == 8 || Bytes == 16, "cp.async copies 4, 8 or 16 bytes");
#ifdef CONVLAB_NO_TENSOR_CORES
  __trap();
#else
  const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(shared_dst));
  asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;" ::"r"(dst), "l"(global_src), "n"(Bytes), "r"(src_bytes));
#endif
}
__device__ __forceinline__ void cp_async_commit() {
#ifndef CONVLAB_NO_TENSOR_CORES
  asm volatile("cp.async.commit_group;");
#endif
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#ifndef CONVLAB_NO_TENSOR_CORES
  asm volatile("cp.async.wait_group %0;" ::"n"(N));
#endif
}

#endif

__device__ __forceinline__ uint32_t bf16x2_bits(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return static_cast<uint32_t>(__bfloat16_as_ushort(v.x)) | static_cast<uint32_t>(__bfloat16_as_ushort(v.y)) << 16;
}

}  // namespace convlab::cuda
