// Range check of int32 class labels on the CPU, for the CPU reference losses.
#pragma once
#include "host/tensor.h"

namespace convlab::ref {

// Throws unless every label of y (int32, CPU) lies in [0, C).
inline void check_labels(const char* op, const Tensor& y, int64_t C) {
  const int32_t* py = y.data<int32_t>();
  for (int64_t i = 0; i < y.numel(); ++i)
    CONVLAB_CHECK(py[i] >= 0 && py[i] < C, op << ": label y[" << i << "] = " << py[i] << " is out of range [0, " << C
                                              << ") for scores with " << C << " classes");
}

}  // namespace convlab::ref
