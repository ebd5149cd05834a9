// Gather + translate (reflect or zero padding) + flip + normalise + cutout of a
// training batch in one pass, from the uint8 dataset resident on the GPU. The
// per-element arithmetic is host/data/augment_sample.h's augmented_element,
// the function the CPU loader calls, so both produce the same floats.
//
// Parallel decomposition: one thread per output element (b, c, y, x) of the
// (B, C, H, W) batch, in a grid-stride loop over B * C * H * W (launch_n).
// Memory access: consecutive threads write consecutive x of one output row
// (coalesced float stores) and read neighbouring source pixels of the same
// image row (shifted by dx, or mirrored by the flip: still one or two 32-byte
// segments per warp); the per-sample parameters (7 int32) and the per-channel
// mean/std are tiny and served from L1/L2.
#include "host/data/augment_sample.h"
#include "kernels/data/augment_gather.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::kernels {

namespace {

template <class Src>
__global__ void augment_gather_kernel(const Src* __restrict__ src, NormalizeParams norm,
                                      const int32_t* __restrict__ idx, const AugmentSample* __restrict__ params,
                                      bool reflect, float* __restrict__ out, int C, int H, int W, int64_t n) {
  const int64_t plane = static_cast<int64_t>(H) * W, D = C * plane;
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < n;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t b = e / D, r = e - b * D;
    const int c = static_cast<int>(r / plane);
    const int y = static_cast<int>((r - c * plane) / W);
    const int x = static_cast<int>(r - c * plane - static_cast<int64_t>(y) * W);
    const AugmentSample s = params ? params[b] : AugmentSample();
    out[e] = augmented_element(src + static_cast<int64_t>(idx[b]) * D, C, H, W, c, y, x, s, reflect, norm);
  }
}

}  // namespace

void augment_gather_cuda(const Tensor& src, const Tensor& mean, const Tensor& channel_mean, const Tensor& channel_std,
                         const Tensor& idx, const Tensor& params, bool reflect, Tensor& out) {
  CONVLAB_CHECK(src.ndim() == 4, "augment_gather_cuda: images must be (N, C, H, W), got " << shape_str(src.shape()));
  const int64_t B = idx.numel();
  CONVLAB_CHECK(!params.defined() || (params.dtype() == DType::i32 && params.numel() == B * kAugmentSampleInts),
                "augment_gather_cuda: params must be int32 (" << B << ", " << kAugmentSampleInts << ")");
  NormalizeParams norm;
  if (mean.defined()) norm.mean_image = mean.data<float>();
  if (channel_mean.defined()) {
    norm.channel_mean = channel_mean.data<float>();
    norm.channel_std = channel_std.data<float>();
  }
  const int C = static_cast<int>(src.dim(1)), H = static_cast<int>(src.dim(2)), W = static_cast<int>(src.dim(3));
  const int64_t n = B * C * H * W;
  const auto* p = params.defined() ? static_cast<const AugmentSample*>(params.raw()) : nullptr;
  if (src.dtype() == DType::u8)
    cuda::launch_n("augment_gather_kernel", n, augment_gather_kernel<uint8_t>, src.data<uint8_t>(), norm,
                   idx.data<int32_t>(), p, reflect, out.data<float>(), C, H, W, n);
  else
    cuda::launch_n("augment_gather_kernel", n, augment_gather_kernel<float>, src.data<float>(), norm,
                   idx.data<int32_t>(), p, reflect, out.data<float>(), C, H, W, n);
}

}  // namespace convlab::kernels
