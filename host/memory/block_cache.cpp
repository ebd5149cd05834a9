#include "host/memory/block_cache.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/runtime/cuda_device.h"

namespace convlab {

namespace {

// Blocks are cached by size class: multiples of 512 bytes, or of 64 KiB
// from 1 MiB up, so a batch-size change reuses nearby blocks without
// wasting more than a few percent.
std::size_t size_class(std::size_t nbytes) {
  const std::size_t step = nbytes >= (std::size_t(1) << 20) ? (std::size_t(64) << 10) : 512;
  return (std::max<std::size_t>(nbytes, 1) + step - 1) / step * step;
}

// The CPU cache stops holding blocks beyond this many bytes; the device
// cache holds what it is given and is emptied when an allocation fails.
constexpr std::size_t kCpuCacheLimit = std::size_t(2) << 30;

bool caching_from_environment() {
  const char* v = std::getenv("CONVLAB_NO_CACHING_ALLOCATOR");
  return !(v && *v && std::string(v) != "0");
}

class BlockCache {
 public:
  explicit BlockCache(Device device) : device_(device) {}

  void* allocate(std::size_t nbytes, bool caching) {
    const std::size_t size = size_class(nbytes);
    if (caching) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.cached_bytes -= size;
        --stats_.cached_blocks;
        ++stats_.reused;
        return p;
      }
      ++stats_.fresh;
    }
    try {
      return system_allocate(size);
    } catch (const Error&) {
      if (device_ == Device::cpu) throw;
      empty();  // cached device blocks may be what is missing
      return system_allocate(size);
    }
  }

  void release(void* p, std::size_t nbytes, bool caching) noexcept {
    if (!p) return;
    const std::size_t size = size_class(nbytes);
    if (caching) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (device_ != Device::cpu || stats_.cached_bytes + size <= kCpuCacheLimit) {
        try {
          free_[size].push_back(p);
          stats_.cached_bytes += size;
          ++stats_.cached_blocks;
          return;
        } catch (const std::bad_alloc&) {
          // no room to remember it: give it back below
        }
      }
    }
    system_free(p);
  }

  void empty() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, blocks] : free_)
      for (void* p : blocks) system_free(p);
    free_.clear();
    stats_.cached_bytes = 0;
    stats_.cached_blocks = 0;
  }

  AllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  void* system_allocate(std::size_t size) {
    if (device_ == Device::cuda) return cuda::malloc_device(size);
    void* p = std::malloc(size);
    if (!p) throw Error("out of host memory allocating " + std::to_string(size) + " bytes");
    return p;
  }
  void system_free(void* p) noexcept {
    if (device_ == Device::cuda)
      cuda::free_device(p);
    else
      std::free(p);
  }

  Device device_;
  std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  AllocatorStats stats_;
};

// Never destroyed: tensors held by static objects may be freed after main.
BlockCache& cache(Device device) {
  static BlockCache* cpu = new BlockCache(Device::cpu);
  static BlockCache* gpu = new BlockCache(Device::cuda);
  return device == Device::cpu ? *cpu : *gpu;
}

std::atomic<bool>& caching_flag() {
  static std::atomic<bool> on{caching_from_environment()};
  return on;
}

}  // namespace

void* allocate_block(Device device, std::size_t nbytes) { return cache(device).allocate(nbytes, caching_flag()); }

void release_block(Device device, void* p, std::size_t nbytes) noexcept {
  cache(device).release(p, nbytes, caching_flag());
}

AllocatorStats allocator_stats(Device device) { return cache(device).stats(); }

void empty_cache(Device device) { cache(device).empty(); }

void set_allocator_caching(bool on) {
  caching_flag() = on;
  if (!on) {
    empty_cache(Device::cpu);
    empty_cache(Device::cuda);
  }
}

bool allocator_caching() { return caching_flag(); }

}  // namespace convlab
