// Convolution of one image at a time, on the calling thread: the building
// blocks of the fused CPU layers (conv_relu_pool), which keep an image's
// conv output in cache instead of writing the whole batch's to memory.
// float32 with stride 1 uses the direct AVX2 kernels (conv_direct.h) where
// the CPU has them; otherwise the image is im2col'd and multiplied by GEMM.
// Scratch comes from the thread's workspace slots 0 and 1.
#pragma once
#include <cstdint>
#include <memory>

#include "host/ops/conv/conv.h"
#include "host/ops/conv/conv_direct.h"

namespace convlab::threaded {

// out (F, Hout, Wout) = conv of x (C, H, W) with w (F, C, HH, WW), plus b.
template <class T>
void conv_image_forward(const ConvDims& d, const T* x, const T* w, const T* b, T* out);

// dw (F, C, HH, WW) += the gradient of this image, from x and dout (F, Hout, Wout).
template <class T>
void conv_image_dw(const ConvDims& d, const T* x, const T* dout, T* dw);

// Plane c (H, W) of one image's dx from its dout (F, Hout, Wout), by GEMM
// (w[:, c]^T dout, RQ x P in workspace slot 1) and col2im; overwritten.
template <class T>
void conv_image_dx_channel(const ConvDims& d, const T* w, const T* dout, int64_t c, T* dx_plane);

// dx (C, H, W) = the input gradient of one image from its dout (overwritten).
// Made once per call: for float32 on the direct path it prepares the flipped
// filters (conv_direct.h) that every image then uses.
template <class T>
class ConvImageDx {
 public:
  ConvImageDx(const ConvDims& d, const T* w);
  void operator()(const T* dout, T* dx) const;

 private:
  ConvDims d_;
  const T* w_;
  std::unique_ptr<DirectDxPlan> direct_;
};

}  // namespace convlab::threaded
