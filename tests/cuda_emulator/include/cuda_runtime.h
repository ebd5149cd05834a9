// convlab's CUDA emulator: the subset of the CUDA runtime API and of CUDA C++
// that convlab's kernels use, implemented on the CPU so that the kernels can
// be run, and checked against the CPU reference, on a machine without a GPU.
//
// Execution model: a launch runs its blocks one after another on the calling
// thread. Each CUDA thread of a block is a fiber (ucontext) with its own
// stack; __syncthreads() and the warp shuffles park the fiber until every
// thread of the block (or lane of the warp) has arrived, so barrier and
// warp-synchronous code runs with CUDA's semantics. Between two such points
// the fibers run in thread order or in reverse order, alternately, so that a
// missing __syncthreads() changes results. What the emulator checks
// and reports as a launch error (a thrown exception naming the kernel):
//   - launch configurations a real device rejects (block > 1024 threads,
//     grid.y/z > 65535, dynamic shared memory over the limit);
//   - a __syncthreads() that not every thread of the block reaches;
//   - a shuffle that reads from a lane that is not taking part in it.
// Dynamic shared memory is filled with 0xFF bytes (NaN as float or double)
// before each block, so a read of a slot no thread wrote shows up in results.
// It is a correctness tool: nothing about speed carries over to a real GPU.
#pragma once
#include <math.h>  // the float overloads of sqrt, exp, ... in the global namespace, as in device code

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#define CONVLAB_CUDA_EMULATOR 1

// CUDA C++ qualifiers: plain C++ on the CPU. A __shared__ variable is one per
// block; blocks run one at a time per host thread, so a thread_local static
// is shared by the block's fibers and by nothing else running at the time.
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static thread_local
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)  // a register-allocation hint for nvcc

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------
struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

struct __attribute__((aligned(16))) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorLaunchFailure = 719,
};
using cudaError = cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

enum cudaDeviceAttr {
  cudaDevAttrMaxSharedMemoryPerBlock = 8,
  cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrMaxSharedMemoryPerBlockOptin = 97,
};

enum cudaFuncAttribute {
  cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
};

struct CUstream_st;
using cudaStream_t = CUstream_st*;
struct CUevent_st;
using cudaEvent_t = CUevent_st*;

struct cudaDeviceProp {
  char name[256];
  std::size_t totalGlobalMem;
  std::size_t sharedMemPerBlock;
  int multiProcessorCount;
  int maxThreadsPerMultiProcessor;
  int l2CacheSize;
  int major, minor;
};

// ---------------------------------------------------------------------------
// Runtime API (runtime.cpp)
// ---------------------------------------------------------------------------
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t err);

cudaError_t cudaMalloc(void** ptr, std::size_t bytes);
template <class T>
cudaError_t cudaMalloc(T** ptr, std::size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(ptr), bytes);
}
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = nullptr);
cudaError_t cudaMemset(void* dst, int value, std::size_t bytes);

cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

namespace convlab_emu {

// Launch limits of the emulated device (those of an H100).
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxGridYZ = 65535;
constexpr std::size_t kDefaultDynamicShared = 48 * 1024;
constexpr std::size_t kMaxDynamicSharedOptin = 227 * 1024;
constexpr int kMultiProcessors = 4;  // small, so that grid-stride loops go round more than once

cudaError_t set_max_dynamic_shared(const void* kernel, int bytes);
std::size_t max_dynamic_shared(const void* kernel);

// Runs `body` (the kernel call with its arguments bound) once per thread of
// every block; throws std::runtime_error naming `kernel_name` on a bad
// configuration or a synchronisation error.
void run_grid(const char* kernel_name, const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_shared,
              void (*body)(void*), void* ctx);

// Per block (host thread) and per fiber (CUDA thread) state.
extern thread_local uint3 tls_block_idx;
extern thread_local dim3 tls_block_dim;
extern thread_local dim3 tls_grid_dim;
extern thread_local const uint3* tls_thread_idx;
unsigned char* dynamic_shared();

// Device-side synchronisation (scheduler.cpp).
void syncthreads();
// Every live lane of the calling lane's warp named in `mask` deposits `value`;
// returns the value deposited by `src_lane` (a lane of the same warp).
std::uint64_t warp_exchange(unsigned mask, std::uint64_t value, int src_lane);
int lane_id();

// A float's bits and back (the 16-bit float types and the tensor cores' operands).
inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// A warp-wide operation (mma.sync): every lane of the calling lane's warp
// parks with a pointer to its own operands; once all 32 have arrived,
// `combine` runs once with the 32 lanes' pointers (lane order) and writes
// each lane's results in place. Throws on a warp of fewer than 32 threads, a
// lane that has exited, or lanes waiting at different operations.
void warp_collective(void* lane_data, void (*combine)(void* const* lanes));

// The tensor-core instructions, as convlab's kernels reach them through
// kernels/runtime/mma.cuh (tensor_core.cpp). Each lane passes its fragments
// in the register layout the PTX ISA gives for mma.sync.aligned.row.col with
// float32 accumulators (groupID g = lane / 4, t = lane % 4):
//   C, D (16x8):  c0 (g, 2t)  c1 (g, 2t+1)  c2 (g+8, 2t)  c3 (g+8, 2t+1)
//   m16n8k8 tf32: a0 (g, t)  a1 (g+8, t)  a2 (g, t+4)  a3 (g+8, t+4);
//                 b0 (k t, n g)  b1 (k t+4, n g)
//   m16n8k16 bf16 (two per register, the lower k in the lower half):
//                 a0 (g, 2t..2t+1)  a1 (g+8, 2t..)  a2 (g, 2t+8..)  a3 (g+8, 2t+8..);
//                 b0 (k 2t..2t+1, n g)  b1 (k 2t+8.., n g)
// d = a b + c. Rounding: a tf32 operand is the float's upper 19 bits, its
// lower 13 truncated as Ampere and Hopper tensor cores do (the PTX ISA leaves
// them unspecified: kernels round with cvt.rna first); the products are exact;
// their sum with c is rounded once to float here, where the hardware's adder
// may differ in the last bit or two.
void mma_m16n8k8_tf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], const float (&c)[4]);
void mma_m16n8k16_bf16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], const float (&c)[4]);
// cvt.rna.tf32.f32: float to tf32 (1 + 8 + 10 bits), to nearest, ties away
// from zero; the result is a float whose lower 13 bits are zero.
uint32_t cvt_rna_tf32(float x);

// cp.async: a copy of `bytes` (4, 8 or 16) from global to shared memory, of
// which the first `src_bytes` are read and the rest filled with zeros. As on
// the hardware it is asynchronous: the copy lands only when the thread waits
// for its group (cp_async_wait), so a kernel that reads its shared memory
// before waiting reads what was there before (the poison of a fresh block).
// The addresses must be aligned to `bytes`.
void cp_async(void* shared_dst, const void* global_src, std::size_t bytes, std::size_t src_bytes);
// cp.async.commit_group: the copies issued since the last commit form a group.
void cp_async_commit();
// cp.async.wait_group n: completes the thread's committed groups but the newest n.
void cp_async_wait(int n);

template <class T>
T shuffle_from(unsigned mask, T v, int src_lane) {
  static_assert(sizeof(T) <= sizeof(std::uint64_t) && std::is_trivially_copyable_v<T>,
                "shuffle of a type over 8 bytes");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = warp_exchange(mask, bits, src_lane);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

// A launch, `kernel<<<grid, block, shared, stream>>>(args...)`, rewritten by
// rewrite_kernels.py into
//   launch("kernel", grid, block, shared, stream)([&](auto&&... a) { kernel(a...); }, args...)
// (launch_with_kernel(..., kernel, grid, ...) when it asks for dynamic shared
// memory, so that the limit set with cudaFuncSetAttribute can be checked).
// convlab's launch helper (kernels/runtime/launch.cuh) calls
// launch_with_kernel itself, with the kernel's name its caller gave.
// The arguments are copied once, as a real launch copies them to the device,
// and each thread calls the kernel with them; nvcc's deduction of template
// arguments from the call carries over.
struct Launch {
  const char* name;
  const void* kernel;  // null when a launch without a shared-memory size was rewritten
  dim3 grid, block;
  std::size_t shared;

  template <class Call, class... A>
  void operator()(Call&& call, A&&... args) const {
    using Args = std::tuple<std::decay_t<A>...>;
    Args bound(std::forward<A>(args)...);
    struct Ctx {
      std::remove_reference_t<Call>* call;
      Args* args;
    } ctx{&call, &bound};
    run_grid(
        name, kernel, grid, block, shared,
        [](void* c) {
          auto* k = static_cast<Ctx*>(c);
          std::apply(*k->call, *k->args);
        },
        &ctx);
  }
};

inline Launch launch(const char* name, dim3 grid, dim3 block, std::size_t shared = 0, cudaStream_t = nullptr) {
  return Launch{name, nullptr, grid, block, shared};
}

template <class Kernel>
Launch launch_with_kernel(const char* name, Kernel* kernel, dim3 grid, dim3 block, std::size_t shared = 0,
                          cudaStream_t = nullptr) {
  return Launch{name, reinterpret_cast<const void*>(kernel), grid, block, shared};
}

}  // namespace convlab_emu

template <class Kernel>
cudaError_t cudaFuncSetAttribute(Kernel* kernel, cudaFuncAttribute attr, int value) {
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaErrorInvalidValue;
  return convlab_emu::set_max_dynamic_shared(reinterpret_cast<const void*>(kernel), value);
}

// ---------------------------------------------------------------------------
// Device-side built-ins
// ---------------------------------------------------------------------------
#define threadIdx (*::convlab_emu::tls_thread_idx)
#define blockIdx (::convlab_emu::tls_block_idx)
#define blockDim (::convlab_emu::tls_block_dim)
#define gridDim (::convlab_emu::tls_grid_dim)
constexpr int warpSize = 32;

inline void __syncthreads() { convlab_emu::syncthreads(); }

template <class T>
T __shfl_sync(unsigned mask, T v, int src_lane, int width = warpSize) {
  const int lane = convlab_emu::lane_id();
  return convlab_emu::shuffle_from(mask, v, (lane & ~(width - 1)) + (src_lane & (width - 1)));
}
template <class T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = warpSize) {
  const int lane = convlab_emu::lane_id();
  const int src = lane ^ lane_mask;
  // A source outside the caller's width-wide segment returns the caller's own value.
  return convlab_emu::shuffle_from(mask, v, (src & ~(width - 1)) == (lane & ~(width - 1)) ? src : lane);
}
template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = warpSize) {
  const int lane = convlab_emu::lane_id();
  const int src = lane + static_cast<int>(delta);
  return convlab_emu::shuffle_from(mask, v, (src & ~(width - 1)) == (lane & ~(width - 1)) ? src : lane);
}

// Round-to-nearest arithmetic that the compiler may not contract into a
// fused multiply-add (nvcc contracts a * b + c by default; these keep each
// operation rounded on its own, as the CPU code computes it). On the CPU
// emulator they are the plain operations: C++17 without -ffp-contract=fast
// does not contract either.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }

// Blocks of a launch run one at a time, so an atomic is a plain
// read-modify-write.
template <class T>
T atomicAdd(T* address, T value) {
  const T old = *address;
  *address = old + value;
  return old;
}

// CUDA's min/max accept mixed integer types; the result has their common type.
template <class A, class B, class = std::enable_if_t<std::is_arithmetic_v<A> && std::is_arithmetic_v<B>>>
inline std::common_type_t<A, B> min(A a, B b) {
  using C = std::common_type_t<A, B>;
  return static_cast<C>(a) < static_cast<C>(b) ? static_cast<C>(a) : static_cast<C>(b);
}
template <class A, class B, class = std::enable_if_t<std::is_arithmetic_v<A> && std::is_arithmetic_v<B>>>
inline std::common_type_t<A, B> max(A a, B b) {
  using C = std::common_type_t<A, B>;
  return static_cast<C>(a) < static_cast<C>(b) ? static_cast<C>(b) : static_cast<C>(a);
}
