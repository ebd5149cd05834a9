// Scratch memory of the fast CPU ops (im2col columns, transposed gradients):
// a few buffers per calling thread that grow to the largest size asked for
// and are reused from call to call, so a training loop allocates them once.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convlab::threaded {

constexpr int kWorkspaceSlots = 4;

// A 64-byte aligned buffer of at least nbytes, private to the calling thread;
// its contents are unspecified. Slot s (0 <= s < kWorkspaceSlots) stays valid
// until the next call for the same slot on this thread.
void* workspace_bytes(int slot, std::size_t nbytes);

template <class T>
T* workspace(int slot, int64_t count) {
  return static_cast<T*>(workspace_bytes(slot, static_cast<std::size_t>(count) * sizeof(T)));
}

}  // namespace convlab::threaded
