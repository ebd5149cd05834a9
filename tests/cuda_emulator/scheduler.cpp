// The emulator's execution of a grid: blocks one after another, the threads
// of a block as fibers (ucontext) that run until they finish or park at a
// synchronisation point. When every fiber of the block is parked or done,
// the scheduler releases what can be released (a warp whose shuffle every
// named live lane has reached, a warp-wide operation once its 32 lanes are
// there, or the block at __syncthreads() once every thread is there) and runs
// the fibers again; when nothing can be released, the block would hang on a
// GPU, and the launch fails with a description.
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define CONVLAB_EMU_ASAN 1
#endif

#include <algorithm>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cuda_runtime.h"

namespace convlab_emu {

thread_local uint3 tls_block_idx{0, 0, 0};
thread_local dim3 tls_block_dim;
thread_local dim3 tls_grid_dim;
thread_local const uint3* tls_thread_idx = nullptr;

namespace {

constexpr std::size_t kStackBytes = 128 * 1024;
// Below the frame of a finishing fiber, what its last switch may have put on
// the stack (swapcontext's own frame and AddressSanitizer's hooks).
constexpr std::size_t kSwitchBytes = 8 * 1024;
constexpr int kWarp = 32;

enum class State { ready, at_barrier, at_shuffle, at_collective, done };

// A cp.async issued and not yet landed.
struct PendingCopy {
  void* dst;
  const void* src;
  std::size_t bytes, src_bytes;
};

struct Fiber {
  ucontext_t ctx;
  char* stack = nullptr;         // kStackBytes, the top at stack + kStackBytes
  std::size_t* dirty = nullptr;  // how far from its top the stack may hold stale redzones
  void* fake_stack = nullptr;    // AddressSanitizer's bookkeeping of the switch
  uint3 idx;
  State state = State::ready;
  unsigned mask = 0;
  std::uint64_t value = 0, result = 0;
  int src = 0;
  void* lane_data = nullptr;  // at a warp-wide operation: this lane's operands and results
  void (*combine)(void* const*) = nullptr;
  std::vector<PendingCopy> copies;     // cp.async issued, oldest first
  std::vector<std::size_t> committed;  // the end (in copies) of each committed group
};

// Fiber stacks of kStackBytes each, and with each how deep from its top its
// last fiber left frames (all of it when unknown).
struct FiberStacks {
  char* base;
  std::size_t* dirty;
};

struct Block {
  std::vector<Fiber> fibers;
  FiberStacks stacks{};
  std::vector<unsigned char> shared;
  ucontext_t scheduler{};                 // no uc_stack: see prepare()
  const void* scheduler_stack = nullptr;  // for AddressSanitizer: the stack the fibers return to
  std::size_t scheduler_stack_size = 0;
  int current = -1;
  bool reverse_first = false;
  void (*body)(void*) = nullptr;
  void* ctx = nullptr;
  std::string error;
};

thread_local Block* tls_block = nullptr;

// Fiber stacks, kept per host thread for the next launch: a fresh allocation
// per launch would fault its pages in again every time.
FiberStacks fiber_stacks(std::size_t threads) {
  thread_local std::unique_ptr<char[]> stacks;
  thread_local std::vector<std::size_t> dirty;
  if (dirty.size() < threads) {
    stacks.reset(new char[threads * kStackBytes]);
    dirty.assign(threads, 0);  // a fresh allocation holds no redzones
  }
  return {stacks.get(), dirty.data()};
}

// AddressSanitizer must be told of every switch between stacks (a build
// with -fsanitize=address checks the kernels' memory accesses); without it
// these do nothing.
void before_switch(void** fake_stack, const void* stack, std::size_t size) {
#ifdef CONVLAB_EMU_ASAN
  __sanitizer_start_switch_fiber(fake_stack, stack, size);
#else
  (void)fake_stack, (void)stack, (void)size;
#endif
}
void after_switch(void* fake_stack, const void** from_stack, std::size_t* from_size) {
#ifdef CONVLAB_EMU_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, from_stack, from_size);
#else
  (void)fake_stack, (void)from_stack, (void)from_size;
#endif
}

// A fiber stack used before keeps the redzones of the frames that were on it
// when its fiber finished (a function that returns clears its own); clear
// them before a new fiber starts there. Only the `dirty` bytes below the top
// can hold any: a stack of 128 KiB cleared whole for each of a launch's
// thousands of fibers took most of a sanitizer build's test time.
void fresh_stack(Fiber& f) {
#ifdef CONVLAB_EMU_ASAN
  const std::size_t dirty = std::min(*f.dirty, kStackBytes);
  ASAN_UNPOISON_MEMORY_REGION(f.stack + kStackBytes - dirty, dirty);
#endif
  *f.dirty = kStackBytes;  // unknown until the fiber finishes
}

Block& running_block(const char* what) {
  if (!tls_block || tls_block->current < 0)
    throw std::logic_error(std::string("cuda emulator: ") + what + " called outside a kernel");
  return *tls_block;
}

void fiber_main() {
  Block& b = *tls_block;
  after_switch(nullptr, &b.scheduler_stack, &b.scheduler_stack_size);
  try {
    b.body(b.ctx);
  } catch (const std::exception& e) {
    if (b.error.empty()) b.error = std::string("exception in the kernel: ") + e.what();
  } catch (...) {
    if (b.error.empty()) b.error = "unknown exception in the kernel";
  }
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  f.state = State::done;
  const char* frame = static_cast<const char*>(__builtin_frame_address(0));
  *f.dirty = static_cast<std::size_t>(f.stack + kStackBytes - frame) + kSwitchBytes;
  before_switch(nullptr, b.scheduler_stack, b.scheduler_stack_size);  // null: this stack is finished
  swapcontext(&f.ctx, &b.scheduler);                                  // never resumed
}

// Parks the running fiber in state `s` and returns when the scheduler resumes it.
void park(State s) {
  Block& b = *tls_block;
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  f.state = s;
  before_switch(&f.fake_stack, b.scheduler_stack, b.scheduler_stack_size);
  swapcontext(&f.ctx, &b.scheduler);
  after_switch(f.fake_stack, &b.scheduler_stack, &b.scheduler_stack_size);
}

std::string where(const Fiber& f) {
  std::ostringstream os;
  os << "thread (" << f.idx.x << "," << f.idx.y << "," << f.idx.z << ")";
  return os.str();
}

// Releases the shuffles of one warp when every live lane they name has
// reached one; returns whether it released any. Throws on a read from a lane
// that takes no part.
bool release_warp(Block& b, std::size_t first, std::size_t end) {
  bool any = false;
  for (std::size_t i = first; i < end; ++i) {
    const Fiber& f = b.fibers[i];
    if (f.state != State::at_shuffle) continue;
    any = true;
    for (std::size_t j = first; j < end; ++j) {
      const bool named = (f.mask >> (j - first)) & 1u;
      if (named && b.fibers[j].state != State::at_shuffle && b.fibers[j].state != State::done) return false;
    }
  }
  if (!any) return false;
  for (std::size_t i = first; i < end; ++i) {
    const Fiber& f = b.fibers[i];
    if (f.state != State::at_shuffle) continue;
    const std::size_t src = first + static_cast<std::size_t>(f.src);
    const bool exists = f.src >= 0 && f.src < kWarp && src < end;
    if (!exists || b.fibers[src].state != State::at_shuffle) {
      std::ostringstream os;
      os << "warp shuffle: " << where(f) << " (lane " << i - first << ") reads lane " << f.src << ", which "
         << (exists ? "has exited or is not taking part" : "does not exist in this block");
      throw std::runtime_error(os.str());
    }
  }
  // Every source is valid; values stay put while the results are handed out.
  for (std::size_t i = first; i < end; ++i) {
    Fiber& f = b.fibers[i];
    if (f.state != State::at_shuffle) continue;
    f.result = b.fibers[first + static_cast<std::size_t>(f.src)].value;
    f.state = State::ready;
  }
  return true;
}

// Releases a warp-wide operation once all 32 lanes have reached it; returns
// whether it did. Throws where the warp would hang or misbehave on a GPU.
bool release_collective(Block& b, std::size_t first, std::size_t end) {
  const Fiber* at = nullptr;
  for (std::size_t i = first; i < end && !at; ++i)
    if (b.fibers[i].state == State::at_collective) at = &b.fibers[i];
  if (!at) return false;
  const auto fail = [&](const std::string& why) { throw std::runtime_error("warp-wide operation (mma.sync): " + why); };
  if (end - first != kWarp)
    fail("needs a full warp; the warp of " + where(*at) + " has " + std::to_string(end - first) + " threads");
  for (std::size_t i = first; i < end; ++i) {
    const Fiber& f = b.fibers[i];
    if (f.state == State::done) fail("lane " + std::to_string(i - first) + " (" + where(f) + ") has exited");
    if (f.state == State::at_collective && f.combine != at->combine)
      fail("the lanes of a warp are at different operations");
  }
  for (std::size_t i = first; i < end; ++i)
    if (b.fibers[i].state != State::at_collective) return false;  // not there yet
  void* lanes[kWarp];
  for (std::size_t i = first; i < end; ++i) lanes[i - first] = b.fibers[i].lane_data;
  at->combine(lanes);
  for (std::size_t i = first; i < end; ++i) b.fibers[i].state = State::ready;
  return true;
}

// Runs fiber i until it parks or finishes. A function of its own, so that no
// variable of the scheduling loop lives across swapcontext (which, like
// setjmp, returns twice as far as the compiler knows).
__attribute__((noinline)) void resume(Block& b, std::size_t i) {
  Fiber& f = b.fibers[i];
  b.current = static_cast<int>(i);
  tls_thread_idx = &f.idx;
  void* fake_stack = nullptr;
  before_switch(&fake_stack, f.stack, kStackBytes);
  swapcontext(&b.scheduler, &f.ctx);
  after_switch(fake_stack, nullptr, nullptr);
}

// Sets fiber i up to start the kernel on its own stack (a function of its
// own for the same reason: getcontext returns twice too).
__attribute__((noinline)) void prepare(Block& b, std::size_t i) {
  Fiber& f = b.fibers[i];
  f.state = State::ready;
  f.copies.clear();  // a previous block's copies that were never waited for
  f.committed.clear();
  f.stack = b.stacks.base + i * kStackBytes;
  f.dirty = b.stacks.dirty + i;
  fresh_stack(f);
  getcontext(&f.ctx);
  f.ctx.uc_stack.ss_sp = f.stack;
  f.ctx.uc_stack.ss_size = kStackBytes;
  f.ctx.uc_link = nullptr;
  makecontext(&f.ctx, fiber_main, 0);
  // makecontext has laid the first frame; swapcontext reads only the saved
  // registers. AddressSanitizer's swapcontext hook clears the shadow of the
  // whole uc_stack at every switch to it, which would also wipe the redzones
  // of a parked fiber's live frames: fresh_stack does what is needed, once.
  f.ctx.uc_stack.ss_sp = nullptr;
  f.ctx.uc_stack.ss_size = 0;
}

// Runs one block to completion; throws when it would hang or misbehave.
void run_block(Block& b) {
  const std::size_t n = b.fibers.size();
  for (std::size_t i = 0; i < n; ++i) prepare(b, i);
  // Fibers run in thread order in one pass and in reverse order in the next
  // (starting with the block's parity), both legal schedules on a GPU: a
  // read of shared memory that misses a __syncthreads() after the write
  // sees the write in one order and not in the other.
  bool reverse = b.reverse_first;
  for (;; reverse = !reverse) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = reverse ? n - 1 - k : k;
      Fiber& f = b.fibers[i];
      if (f.state != State::ready) continue;
      resume(b, i);
      if (!b.error.empty()) throw std::runtime_error(where(f) + ": " + b.error);
    }
    b.current = -1;
    std::size_t done = 0, at_barrier = 0;
    for (const Fiber& f : b.fibers) {
      done += f.state == State::done;
      at_barrier += f.state == State::at_barrier;
    }
    if (done == n) return;
    bool released = false;
    for (std::size_t w = 0; w < n; w += kWarp) {
      released |= release_warp(b, w, std::min(n, w + kWarp));
      released |= release_collective(b, w, std::min(n, w + kWarp));
    }
    if (released) continue;
    if (at_barrier == n) {
      for (Fiber& f : b.fibers) f.state = State::ready;
      continue;
    }
    std::ostringstream os;
    if (at_barrier > 0 && at_barrier + done == n) {
      os << "__syncthreads() reached by " << at_barrier << " of " << n << " threads; the other " << done
         << " had exited (a barrier every thread of the block must reach)";
    } else {
      os << "the block cannot make progress: " << at_barrier << " threads at __syncthreads(), " << done
         << " exited, the rest at warp shuffles or warp-wide operations whose lanes are elsewhere";
    }
    throw std::runtime_error(os.str());
  }
}

}  // namespace

void syncthreads() {
  running_block("__syncthreads()");
  park(State::at_barrier);
}

int lane_id() {
  const Block& b = running_block("a warp shuffle");
  return b.current % kWarp;
}

std::uint64_t warp_exchange(unsigned mask, std::uint64_t value, int src_lane) {
  Block& b = running_block("a warp shuffle");
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  f.mask = mask;
  f.value = value;
  f.src = src_lane;
  park(State::at_shuffle);
  return f.result;
}

void warp_collective(void* lane_data, void (*combine)(void* const* lanes)) {
  Block& b = running_block("a warp-wide operation");
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  f.lane_data = lane_data;
  f.combine = combine;
  park(State::at_collective);
}

void cp_async(void* shared_dst, const void* global_src, std::size_t bytes, std::size_t src_bytes) {
  Block& b = running_block("cp.async");
  const auto misaligned = [bytes](const void* p) { return reinterpret_cast<std::uintptr_t>(p) % bytes != 0; };
  if (bytes != 4 && bytes != 8 && bytes != 16)
    throw std::runtime_error("cp.async of " + std::to_string(bytes) + " bytes (4, 8 or 16)");
  if (src_bytes > bytes)
    throw std::runtime_error("cp.async reads " + std::to_string(src_bytes) + " of " + std::to_string(bytes) + " bytes");
  if (misaligned(shared_dst) || misaligned(global_src))
    throw std::runtime_error("cp.async of " + std::to_string(bytes) + " bytes from or to an address not aligned to it");
  b.fibers[static_cast<std::size_t>(b.current)].copies.push_back({shared_dst, global_src, bytes, src_bytes});
}

void cp_async_commit() {
  Block& b = running_block("cp.async.commit_group");
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  f.committed.push_back(f.copies.size());
}

void cp_async_wait(int n) {
  Block& b = running_block("cp.async.wait_group");
  Fiber& f = b.fibers[static_cast<std::size_t>(b.current)];
  const std::size_t keep = static_cast<std::size_t>(std::max(n, 0));
  if (f.committed.size() <= keep) return;
  const std::size_t groups = f.committed.size() - keep, landed = f.committed[groups - 1];
  for (std::size_t i = 0; i < landed; ++i) {
    const PendingCopy& c = f.copies[i];
    auto* dst = static_cast<unsigned char*>(c.dst);
    if (c.src_bytes) std::memcpy(dst, c.src, c.src_bytes);
    std::memset(dst + c.src_bytes, 0, c.bytes - c.src_bytes);
  }
  f.copies.erase(f.copies.begin(), f.copies.begin() + static_cast<std::ptrdiff_t>(landed));
  f.committed.erase(f.committed.begin(), f.committed.begin() + static_cast<std::ptrdiff_t>(groups));
  for (std::size_t& end : f.committed) end -= landed;
}

unsigned char* dynamic_shared() {
  Block& b = running_block("dynamic shared memory");
  return b.shared.data();
}

void run_grid(const char* kernel_name, const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_shared_bytes,
              void (*body)(void*), void* ctx) {
  const auto fail = [&](const std::string& why) {
    std::ostringstream os;
    os << "cuda emulator: launch of " << kernel_name << " with grid (" << grid.x << "," << grid.y << "," << grid.z
       << "), block (" << block.x << "," << block.y << "," << block.z << "): " << why;
    throw std::runtime_error(os.str());
  };
  const std::size_t threads = std::size_t{block.x} * block.y * block.z;
  if (threads == 0 || threads > kMaxThreadsPerBlock || block.z > 64)
    fail("invalid configuration: a block has 1 to 1024 threads (z at most 64)");
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > kMaxGridYZ || grid.z > kMaxGridYZ || grid.x > 0x7fffffffu)
    fail("invalid configuration: grid sizes must be positive, x < 2^31, y and z <= 65535");
  const std::size_t limit = max_dynamic_shared(kernel);
  if (dynamic_shared_bytes > limit)
    fail("asks for " + std::to_string(dynamic_shared_bytes) +
         " bytes of dynamic shared memory; the limit for this kernel is " + std::to_string(limit) +
         (limit == kDefaultDynamicShared ? " (raise it with cudaFuncSetAttribute)" : ""));
  if (tls_block) fail("a launch from inside a kernel is not supported");

  Block b;
  b.fibers.resize(threads);
  b.stacks = fiber_stacks(threads);
  b.shared.resize(dynamic_shared_bytes);
  b.body = body;
  b.ctx = ctx;
  for (unsigned z = 0, i = 0; z < block.z; ++z)
    for (unsigned y = 0; y < block.y; ++y)
      for (unsigned x = 0; x < block.x; ++x) b.fibers[i++].idx = uint3{x, y, z};

  tls_block = &b;
  tls_grid_dim = grid;
  tls_block_dim = block;
  try {
    for (unsigned bz = 0; bz < grid.z; ++bz)
      for (unsigned by = 0; by < grid.y; ++by)
        for (unsigned bx = 0; bx < grid.x; ++bx) {
          tls_block_idx = uint3{bx, by, bz};
          b.reverse_first = (bx + by + bz) % 2 == 1;
          std::fill(b.shared.begin(), b.shared.end(), static_cast<unsigned char>(0xFF));
          run_block(b);
        }
  } catch (const std::exception& e) {
    tls_block = nullptr;
    tls_thread_idx = nullptr;
    std::ostringstream os;
    os << "block (" << tls_block_idx.x << "," << tls_block_idx.y << "," << tls_block_idx.z << "), " << e.what();
    fail(os.str());
  }
  tls_block = nullptr;
  tls_thread_idx = nullptr;
}

}  // namespace convlab_emu
