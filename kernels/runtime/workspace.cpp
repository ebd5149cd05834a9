#include "kernels/runtime/workspace.h"

#include "host/tensor.h"

namespace convlab::cuda {

void* workspace(std::size_t nbytes) {
  static Tensor* buffer = new Tensor();  // never freed: it may outlive the CUDA context at exit
  if (nbytes == 0) nbytes = 1;
  if (!buffer->defined() || buffer->nbytes() < nbytes) {
    *buffer = Tensor();  // free the old buffer before allocating the larger one
    *buffer = Tensor({static_cast<int64_t>(nbytes)}, DType::u8, Device::cuda);
  }
  return buffer->raw();
}

}  // namespace convlab::cuda
