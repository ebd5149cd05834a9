// gelu, "vec" variant: 16-byte vector loads and stores (4 floats or 2
// doubles; a 16-byte aligned struct that nvcc loads with one 128-bit
// ld.global.v4/v2) for fewer, wider memory transactions.
//
// Parallel decomposition: the n elements are `nvec` whole vectors followed by
// a scalar tail of n - nvec * W elements (W = 16 / sizeof(T)); the items
// 0 .. nvec + tail - 1 are covered by one grid-stride loop (launch_n over the
// item count): item j < nvec is the vector j (consecutive threads on
// consecutive vectors, coalesced), item j >= nvec is the tail element
// nvec * W + (j - nvec). When a pointer is not 16-byte aligned, nvec = 0 and
// every element goes through the scalar path.
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "kernels/gelu/gelu_kernels.cuh"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

namespace {

template <class T>
struct alignas(16) Pack {
  static constexpr int W = 16 / sizeof(T);
  T v[W];
};

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

template <class T>
__global__ void gelu_forward_vec_kernel(const T* __restrict__ x, int64_t nvec, int64_t items, T* __restrict__ out) {
  constexpr int W = Pack<T>::W;
  CONVLAB_GRID_STRIDE_LOOP(j, items) {
    if (j < nvec) {
      Pack<T> a = reinterpret_cast<const Pack<T>*>(x)[j];
#pragma unroll
      for (int k = 0; k < W; ++k) a.v[k] = gelu_value(a.v[k]);
      reinterpret_cast<Pack<T>*>(out)[j] = a;
    } else {
      const int64_t i = nvec * W + (j - nvec);
      out[i] = gelu_value(x[i]);
    }
  }
}

template <class T>
__global__ void gelu_backward_vec_kernel(const T* __restrict__ x, const T* __restrict__ dout, int64_t nvec,
                                         int64_t items, T* __restrict__ dx) {
  constexpr int W = Pack<T>::W;
  CONVLAB_GRID_STRIDE_LOOP(j, items) {
    if (j < nvec) {
      const Pack<T> a = reinterpret_cast<const Pack<T>*>(x)[j];
      Pack<T> d = reinterpret_cast<const Pack<T>*>(dout)[j];
#pragma unroll
      for (int k = 0; k < W; ++k) d.v[k] = gelu_grad(a.v[k], d.v[k]);
      reinterpret_cast<Pack<T>*>(dx)[j] = d;
    } else {
      const int64_t i = nvec * W + (j - nvec);
      dx[i] = gelu_grad(x[i], dout[i]);
    }
  }
}

// Whole vectors in n elements when every pointer is 16-byte aligned, else 0.
template <class T>
int64_t whole_vectors(int64_t n, std::initializer_list<const void*> ptrs) {
  for (const void* p : ptrs)
    if (!aligned16(p)) return 0;
  return n / Pack<T>::W;
}

}  // namespace

Forward<GeluCache> gelu_forward_vec(const Tensor& x) {
  return gelu_forward_cuda(x, [](const auto* px, int64_t n, auto* po) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(px)>>;
    const int64_t nvec = whole_vectors<T>(n, {px, po});
    const int64_t items = nvec + (n - nvec * Pack<T>::W);
    launch_n("gelu_forward_vec_kernel", items, gelu_forward_vec_kernel<T>, px, nvec, items, po);
  });
}

Tensor gelu_backward_vec(const Tensor& dout, const GeluCache& cache) {
  return gelu_backward_cuda(dout, cache, [](const auto* px, const auto* pd, int64_t n, auto* pdx) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(px)>>;
    const int64_t nvec = whole_vectors<T>(n, {px, pd, pdx});
    const int64_t items = nvec + (n - nvec * Pack<T>::W);
    launch_n("gelu_backward_vec_kernel", items, gelu_backward_vec_kernel<T>, px, pd, nvec, items, pdx);
  });
}

}  // namespace convlab::cuda
