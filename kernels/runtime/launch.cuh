// Every kernel launch of convlab goes through launch() (an explicit grid and
// block) or launch_n() (a grid-stride loop over n items). Both check the
// launch at once and throw convlab::Error naming the kernel, e.g.
//   CUDA error launching im2col_kernel: invalid configuration argument
// `kernel` is a __global__ function, a template kernel given as an explicit
// instantiation (im2col_kernel<T>); the arguments convert to its parameters
// as in a plain launch. Include from .cu/.cuh files only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/runtime/launch.h"

namespace convlab::cuda {

// `kernel` on a grid of `grid` blocks of `block` threads with `shared_bytes`
// of dynamic shared memory, on the default stream.
template <class Kernel, class... Args>
void launch(const char* name, Kernel kernel, dim3 grid, dim3 block, std::size_t shared_bytes, Args&&... args) {
#if defined(CONVLAB_CUDA_EMULATOR)
  // The emulator runs the grid at once, under `name` in its reports, and
  // throws where a GPU would fail the launch (a configuration it rejects)
  // or misbehave (a barrier not every thread reaches): a convlab::Error, as
  // a failed launch is on a GPU.
  try {
    ::convlab_emu::launch_with_kernel(name, kernel, grid, block, shared_bytes)([&](auto&&... a) { kernel(a...); },
                                                                               std::forward<Args>(args)...);
  } catch (const std::runtime_error& e) {
    throw Error(e.what());
  }
#else
  // clang-format 14 takes a .cuh for C++ and would split the >>>.
  // clang-format off
  kernel<<<grid, block, shared_bytes>>>(std::forward<Args>(args)...);
  // clang-format on
#endif
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw Error(std::string("CUDA error launching ") + name + ": " + cudaGetErrorString(err));
}

// A grid-stride loop over n items (the kernel gets n among `args`):
// grid_for(n, Threads) blocks of Threads threads, and no launch at all when
// there is nothing to do (n <= 0).
template <int Threads = kThreads, class Kernel, class... Args>
void launch_n(const char* name, int64_t n, Kernel kernel, Args&&... args) {
  if (n <= 0) return;
  launch(name, kernel, grid_for(n, Threads), Threads, 0, std::forward<Args>(args)...);
}

}  // namespace convlab::cuda
