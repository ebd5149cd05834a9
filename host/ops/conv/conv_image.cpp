#include "host/ops/conv/conv_image.h"

#include <algorithm>
#include <type_traits>

#include "host/cpu/gemm.h"
#include "host/cpu/im2col.h"
#include "host/cpu/workspace.h"

namespace convlab::threaded {

namespace {

template <class T>
bool use_direct(const ConvDims& d) {
  if constexpr (std::is_same_v<T, float>) return direct_conv_usable(d);
  return false;
}

// The image's column matrix (K x P) in workspace slot 0.
template <class T>
T* image_columns(const ConvDims& d, const T* x) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  T* cols = workspace<T>(0, K * P);
  im2col_tile(d, x, 0, 0, P, cols, P);
  return cols;
}

}  // namespace

template <class T>
void conv_image_forward(const ConvDims& d, const T* x, const T* w, const T* b, T* out) {
  if constexpr (std::is_same_v<T, float>) {
    if (use_direct<T>(d))
      return direct_conv_forward_image(d, x, w, b, out, workspace<float>(0, direct_conv_scratch(d)));
  }
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  for (int64_t f = 0; f < d.F; ++f) std::fill(out + f * P, out + (f + 1) * P, b[f]);
  gemm<T>(false, false, d.F, P, K, T(1), w, K, image_columns(d, x), P, T(1), out, P);
}

template <class T>
void conv_image_dw(const ConvDims& d, const T* x, const T* dout, T* dw) {
  if constexpr (std::is_same_v<T, float>) {
    if (use_direct<T>(d)) return direct_conv_dw_image(d, x, dout, dw, workspace<float>(0, direct_conv_scratch(d)));
  }
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  gemm<T>(false, true, d.F, K, P, T(1), dout, P, image_columns(d, x), P, T(1), dw, K);
}

template <class T>
ConvImageDx<T>::ConvImageDx(const ConvDims& d, const T* w) : d_(d), w_(w) {
  if constexpr (std::is_same_v<T, float>)
    if (use_direct<T>(d) && direct_conv_dx_usable(d))
      direct_ = std::make_unique<DirectDxPlan>(direct_conv_dx_plan(d, w));
}

template <class T>
void ConvImageDx<T>::operator()(const T* dout, T* dx) const {
  if constexpr (std::is_same_v<T, float>) {
    if (direct_)
      return direct_conv_dx_image(*direct_, dout, dx, workspace<float>(0, direct_conv_scratch(direct_->dims)));
  }
  for (int64_t c = 0; c < d_.C; ++c) conv_image_dx_channel(d_, w_, dout, c, dx + c * d_.H * d_.W);
}

template <class T>
void conv_image_dx_channel(const ConvDims& d, const T* w, const T* dout, int64_t c, T* dx_plane) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout, RQ = d.HH * d.WW;
  T* dcols = workspace<T>(1, RQ * P);
  gemm<T>(true, false, RQ, P, d.F, T(1), w + c * RQ, K, dout, P, T(0), dcols, P);  // w[:, c]^T dout
  std::fill(dx_plane, dx_plane + d.H * d.W, T(0));
  col2im_plane(d, dcols, P, dx_plane);
}

#define CONVLAB_INSTANTIATE(T)                                                              \
  template void conv_image_forward<T>(const ConvDims&, const T*, const T*, const T*, T*);   \
  template void conv_image_dw<T>(const ConvDims&, const T*, const T*, T*);                  \
  template void conv_image_dx_channel<T>(const ConvDims&, const T*, const T*, int64_t, T*); \
  template class ConvImageDx<T>;
CONVLAB_INSTANTIATE(float)
CONVLAB_INSTANTIATE(double)
#undef CONVLAB_INSTANTIATE

}  // namespace convlab::threaded
