// Stand-ins for the CUDA runtime services when convlab is built without CUDA.
#include "host/error.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab::cuda {

static const char* kNoCuda = "convlab was built without CUDA (configure with nvcc present or -DCONVLAB_CUDA=ON)";

bool available() { return false; }
std::string no_gpu_reason() { return kNoCuda; }
std::string device_name() { return ""; }
int use_device_for_rank(int) { throw Error(kNoCuda); }
void* malloc_device(std::size_t) { throw Error(kNoCuda); }
void free_device(void*) noexcept {}
void memcpy_h2d(void*, const void*, std::size_t) { throw Error(kNoCuda); }
void memcpy_d2h(void*, const void*, std::size_t) { throw Error(kNoCuda); }
void memcpy_d2d(void*, const void*, std::size_t) { throw Error(kNoCuda); }
void memset_device(void*, int, std::size_t) { throw Error(kNoCuda); }
void synchronize() {}

}  // namespace convlab::cuda
