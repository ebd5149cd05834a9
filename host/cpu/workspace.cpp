#include "host/cpu/workspace.h"

#include <cstdlib>
#include <memory>
#include <new>

#include "host/error.h"

namespace convlab::threaded {

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

struct Buffer {
  std::unique_ptr<void, FreeDeleter> data;
  std::size_t size = 0;
};

}  // namespace

void* workspace_bytes(int slot, std::size_t nbytes) {
  CONVLAB_CHECK(slot >= 0 && slot < kWorkspaceSlots, "workspace: slot " << slot << " out of range");
  thread_local Buffer buffers[kWorkspaceSlots];
  Buffer& b = buffers[slot];
  if (nbytes > b.size) {
    constexpr std::size_t kAlign = 64;
    const std::size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
    b.data.reset();  // release before allocating the larger one
    b.size = 0;
    void* p = std::aligned_alloc(kAlign, rounded);
    if (!p) throw std::bad_alloc();
    b.data.reset(p);
    b.size = rounded;
  }
  return b.data.get();
}

}  // namespace convlab::threaded
