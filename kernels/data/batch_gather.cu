// Batch gather + normalise on the GPU: builds a training batch from the
// dataset that was uploaded once.
//
// Parallel decomposition: a 2-D grid; blockIdx.y walks the batch rows b in a
// grid-stride loop (gridDim.y is capped at 65535, so whole splits can be
// gathered at once), blockIdx.x * blockDim.x + threadIdx.x walks the D features of that row in a
// grid-stride loop. Memory access: each block reads one contiguous source row
// (coalesced, uint8 or float) and the mean image (coalesced, cached in L2 as
// every row reuses it) and writes one contiguous float row of the batch.
#include "kernels/data/batch_gather.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::kernels {

namespace {

template <class Src>
__global__ void batch_gather_kernel(const Src* __restrict__ src, const float* __restrict__ mean,
                                    const int32_t* __restrict__ idx, float* __restrict__ out, int64_t B, int64_t D) {
  for (int64_t b = blockIdx.y; b < B; b += gridDim.y) {
    const Src* row = src + static_cast<int64_t>(idx[b]) * D;
    float* o = out + b * D;
    for (int64_t d = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; d < D;
         d += static_cast<int64_t>(gridDim.x) * blockDim.x) {
      const float v = static_cast<float>(row[d]);
      o[d] = mean ? v - mean[d] : v;
    }
  }
}

// Labels are int32 or float32: both 4-byte words, gathered as uint32.
__global__ void gather_labels_kernel(const uint32_t* __restrict__ labels, const int32_t* __restrict__ idx,
                                     uint32_t* __restrict__ out, int64_t B) {
  const int64_t b = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (b < B) out[b] = labels[idx[b]];
}

}  // namespace

void batch_gather_cuda(const Tensor& src, const Tensor& mean, const Tensor& idx, Tensor& out) {
  const int64_t B = idx.numel();
  if (B == 0) return;
  const int64_t D = src.numel() / src.dim(0);
  const int threads = 256;
  const int64_t blocks_x = std::min<int64_t>((D + threads - 1) / threads, 64);
  dim3 grid(static_cast<unsigned>(blocks_x), static_cast<unsigned>(std::min<int64_t>(B, 65535)));
  const float* pm = mean.defined() ? mean.data<float>() : nullptr;
  if (src.dtype() == DType::u8) {
    cuda::launch("batch_gather_kernel", batch_gather_kernel<uint8_t>, grid, threads, 0, src.data<uint8_t>(), pm,
                 idx.data<int32_t>(), out.data<float>(), B, D);
  } else {
    cuda::launch("batch_gather_kernel", batch_gather_kernel<float>, grid, threads, 0, src.data<float>(), pm,
                 idx.data<int32_t>(), out.data<float>(), B, D);
  }
}

void gather_labels_cuda(const Tensor& labels, const Tensor& idx, Tensor& out) {
  const int64_t B = idx.numel();
  if (B == 0) return;
  const int threads = 256;
  cuda::launch("gather_labels_kernel", gather_labels_kernel, static_cast<unsigned>((B + threads - 1) / threads),
               threads, 0, static_cast<const uint32_t*>(labels.raw()), idx.data<int32_t>(),
               static_cast<uint32_t*>(out.raw()), B);
}

}  // namespace convlab::kernels
