// The emulator's runtime API: device memory is host memory (filled with 0xFF
// bytes, NaN as float, when allocated, as a real allocation holds whatever
// was there before), kept in a table so that copies can check that their
// device side lies inside an allocation and their host side does not.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cuda_runtime.h"

struct CUevent_st {
  std::chrono::steady_clock::time_point at;
};

namespace convlab_emu {
namespace {

std::mutex& table_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::uintptr_t, std::size_t>& allocations() {
  static std::map<std::uintptr_t, std::size_t> table;
  return table;
}
std::map<const void*, std::size_t>& shared_limits() {
  static std::map<const void*, std::size_t> table;
  return table;
}

// Whether [p, p + bytes) lies inside one device allocation.
bool on_device(const void* p, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  std::lock_guard<std::mutex> lock(table_mutex());
  auto it = allocations().upper_bound(a);
  if (it == allocations().begin()) return false;
  --it;
  return a >= it->first && a + bytes <= it->first + it->second;
}

thread_local cudaError_t last_error = cudaSuccess;

cudaError_t fail(cudaError_t err) {
  last_error = err;
  return err;
}

// Checks the two sides of a copy against `kind`.
bool copy_sides_ok(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  if (bytes == 0) return true;
  switch (kind) {
    case cudaMemcpyHostToDevice:
      return on_device(dst, bytes) && !on_device(src, 1);
    case cudaMemcpyDeviceToHost:
      return on_device(src, bytes) && !on_device(dst, 1);
    case cudaMemcpyDeviceToDevice:
      return on_device(src, bytes) && on_device(dst, bytes);
    case cudaMemcpyHostToHost:
      return !on_device(src, 1) && !on_device(dst, 1);
    case cudaMemcpyDefault:
      return true;
  }
  return false;
}

}  // namespace

cudaError_t set_max_dynamic_shared(const void* kernel, int bytes) {
  if (bytes < 0 || static_cast<std::size_t>(bytes) > kMaxDynamicSharedOptin) return fail(cudaErrorInvalidValue);
  std::lock_guard<std::mutex> lock(table_mutex());
  shared_limits()[kernel] =
      static_cast<std::size_t>(bytes) > kDefaultDynamicShared ? static_cast<std::size_t>(bytes) : kDefaultDynamicShared;
  return cudaSuccess;
}

std::size_t max_dynamic_shared(const void* kernel) {
  std::lock_guard<std::mutex> lock(table_mutex());
  const auto it = shared_limits().find(kernel);
  return it == shared_limits().end() ? kDefaultDynamicShared : it->second;
}

}  // namespace convlab_emu

using convlab_emu::fail;

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}

// One emulated device: 0.
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : fail(cudaErrorInvalidValue); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (device != 0) return fail(cudaErrorInvalidValue);
  *prop = cudaDeviceProp{};
  std::snprintf(prop->name, sizeof prop->name, "%s", "convlab CUDA emulator (CPU)");
  prop->totalGlobalMem = std::size_t{16} << 30;
  prop->sharedMemPerBlock = convlab_emu::kDefaultDynamicShared;
  prop->multiProcessorCount = convlab_emu::kMultiProcessors;
  prop->maxThreadsPerMultiProcessor = 2048;
  prop->l2CacheSize = 50 << 20;
  prop->major = 9;
  prop->minor = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (device != 0) return fail(cudaErrorInvalidValue);
  switch (attr) {
    case cudaDevAttrMultiProcessorCount:
      *value = convlab_emu::kMultiProcessors;
      return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlock:
      *value = static_cast<int>(convlab_emu::kDefaultDynamicShared);
      return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin:
      *value = static_cast<int>(convlab_emu::kMaxDynamicSharedOptin);
      return cudaSuccess;
  }
  return fail(cudaErrorInvalidValue);
}

cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

cudaError_t cudaGetLastError() {
  const cudaError_t e = convlab_emu::last_error;
  convlab_emu::last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError() { return convlab_emu::last_error; }

const char* cudaGetErrorString(cudaError_t err) {
  switch (err) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorMemoryAllocation:
      return "out of memory";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument";
    case cudaErrorLaunchFailure:
      return "unspecified launch failure";
  }
  return "unknown error";
}

cudaError_t cudaMalloc(void** ptr, std::size_t bytes) {
  // 256-byte aligned as cudaMalloc's, and exactly `bytes` long, so that an
  // AddressSanitizer build catches an access one past the end.
  void* p = nullptr;
  if (posix_memalign(&p, 256, bytes == 0 ? 1 : bytes) != 0) return fail(cudaErrorMemoryAllocation);
  std::memset(p, 0xFF, bytes);
  {
    std::lock_guard<std::mutex> lock(convlab_emu::table_mutex());
    convlab_emu::allocations()[reinterpret_cast<std::uintptr_t>(p)] = bytes;
  }
  *ptr = p;
  return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
  if (!ptr) return cudaSuccess;
  {
    std::lock_guard<std::mutex> lock(convlab_emu::table_mutex());
    if (convlab_emu::allocations().erase(reinterpret_cast<std::uintptr_t>(ptr)) == 0)
      return fail(cudaErrorInvalidValue);
  }
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  if (!convlab_emu::copy_sides_ok(dst, src, bytes, kind)) return fail(cudaErrorInvalidValue);
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* dst, int value, std::size_t bytes) {
  if (bytes && !convlab_emu::on_device(dst, bytes)) return fail(cudaErrorInvalidValue);
  if (bytes) std::memset(dst, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = new CUevent_st{};
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  event->at = std::chrono::steady_clock::now();
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
  return cudaSuccess;
}
