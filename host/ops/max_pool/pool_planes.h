// Max pooling of whole planes with their argmax, for the fast CPU ops (the
// max_pool op and the fused conv_relu_pool).
#pragma once
#include <cstdint>

#include "host/ops/max_pool/max_pool.h"

namespace convlab::threaded {

// Window maxima of the d.N * d.C planes of x into out, and each window's
// argmax (flat index in its H*W plane, first maximum in row-major order);
// the planes are split over the OpenMP threads when worth it.
template <class T>
void pool_planes(const PoolDims& d, const T* x, T* out, int32_t* argmax);

}  // namespace convlab::threaded
