// Caching allocator for tensor storage, one cache per device.
//
// A training step allocates the same activation and gradient sizes every
// iteration. Returning those blocks to the system each time costs page faults
// and TLB shootdowns on the CPU (glibc hands large blocks to mmap/munmap) and
// a device synchronisation on the GPU (cudaFree). The cache keeps freed
// blocks by size class and hands them out again; when a device allocation
// fails it frees every cached block of that device and retries once.
//
// All work is issued on the default CUDA stream, so a device block freed by
// one op and reused by the next is ordered by the stream itself.
//
// CONVLAB_NO_CACHING_ALLOCATOR=1 in the environment turns caching off (every
// block goes straight back to the system), which is what memory checkers
// such as compute-sanitizer want.
#pragma once
#include <cstddef>
#include <cstdint>

#include "host/tensor.h"

namespace convlab {

struct AllocatorStats {
  std::size_t cached_bytes = 0;  // held in the cache, free for reuse
  std::size_t cached_blocks = 0;
  std::uint64_t reused = 0;  // allocations served from the cache
  std::uint64_t fresh = 0;   // allocations that went to the system
};

// A block of at least nbytes (never null; nbytes 0 gives a small block).
// Throws convlab::Error when the system has no memory left.
void* allocate_block(Device device, std::size_t nbytes);
// Returns a block from allocate_block(device, nbytes) with the same nbytes.
void release_block(Device device, void* p, std::size_t nbytes) noexcept;

AllocatorStats allocator_stats(Device device);
void empty_cache(Device device);      // frees every cached block of the device
void set_allocator_caching(bool on);  // off: frees the caches and stops caching
bool allocator_caching();

}  // namespace convlab
