// A reusable device scratch buffer (e.g. the im2col matrix of conv), so hot
// loops do not allocate every call. It grows to the largest size asked for
// and is kept. All convlab kernels run on the default stream, so reuse is
// ordered after earlier kernels that read it. Not for concurrent use from
// several host threads; valid until the next call.
#pragma once
#include <cstddef>

namespace convlab::cuda {

void* workspace(std::size_t nbytes);

template <class T>
T* workspace_as(std::size_t count) {
  return static_cast<T*>(workspace(count * sizeof(T)));
}

}  // namespace convlab::cuda
