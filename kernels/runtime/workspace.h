// A reusable device scratch buffer (the im2col matrices of conv "gemm", the
// row losses of the loss kernels, the partial sums of the norm reductions),
// so hot loops do not allocate every call. It grows to the largest size
// asked for and is kept (growing frees the old buffer, which synchronises
// the device first). All convlab kernels run on the default stream, so reuse
// is ordered after earlier kernels that read it. One buffer: a caller holds
// at most one workspace pointer at a time, valid until the next call. Not for
// concurrent use from several host threads.
#pragma once
#include <cstddef>

namespace convlab::cuda {

void* workspace(std::size_t nbytes);

template <class T>
T* workspace_as(std::size_t count) {
  return static_cast<T*>(workspace(count * sizeof(T)));
}

}  // namespace convlab::cuda
