// Dataset: labelled samples kept once on one device (uint8 pixels or float
// features, NCHW), plus the normalisation: a mean image to subtract, or a
// per-channel mean and std ((p - mean_c) / std_c). gather(indices) builds a
// float32 batch X = normalised images[indices] and y = labels[indices] on the
// dataset's device: on the GPU this is one kernel (kernels/data/batch_gather.cu,
// or kernels/data/augment_gather.cu with a per-channel normalisation), so a
// training step copies only the batch's indices to the device. gather(indices,
// params, pad) also augments each sample (host/data/augment.h).
#pragma once
#include <cstdint>
#include <vector>

#include "host/data/augment.h"
#include "host/tensor.h"

namespace convlab {

struct Batch {
  Tensor X;  // float32 (B, ...)
  Tensor y;  // (B,): int32 class labels, or float32 regression targets
};

class Dataset {
 public:
  Dataset() = default;
  // images: (N, ...) uint8 or float32 on the CPU or GPU; labels: (N,) int32
  // class labels or float32 targets (regression); mean: float32 of the
  // per-sample shape, or undefined for none. channel_mean, channel_std:
  // float32 (C,) for images (N, C, H, W), both or neither, not with `mean`.
  Dataset(Tensor images, Tensor labels, Tensor mean, Tensor channel_mean = Tensor(), Tensor channel_std = Tensor());

  int64_t size() const { return images_.defined() ? images_.dim(0) : 0; }
  Shape sample_shape() const;
  Device device() const { return images_.device(); }
  const Tensor& images() const { return images_; }
  const Tensor& labels() const { return labels_; }                          // on the dataset's device
  const std::vector<int32_t>& host_labels() const { return host_labels_; }  // int32 labels only
  const Tensor& mean() const { return mean_; }
  const Tensor& channel_mean() const { return channel_mean_; }
  const Tensor& channel_std() const { return channel_std_; }

  Dataset to(Device device) const;  // uploads images, labels and mean once
  Dataset head(int64_t n) const;    // the first n samples (shares storage)
  Batch gather(const std::vector<int64_t>& indices) const;
  Batch range(int64_t begin, int64_t end) const;  // samples [begin, end)
  // Sample b is images[indices[b]] augmented with params[b] (one per index),
  // translated with `pad` padding; images (N, C, H, W) only.
  Batch gather(const std::vector<int64_t>& indices, const std::vector<AugmentSample>& params, PadMode pad) const;

 private:
  void check_indices(const std::vector<int64_t>& indices) const;
  Batch augmented(const std::vector<int64_t>& indices, const std::vector<AugmentSample>& params, bool reflect) const;

  Tensor images_, labels_, mean_, channel_mean_, channel_std_;
  std::vector<int32_t> host_labels_;
};

// Batch-gather implementations (host/data/dataset.cpp on the CPU,
// kernels/data/batch_gather.cu on the GPU): out[b, :] = float(src[idx[b], :]) - mean.
void batch_gather_cpu(const Tensor& src, const Tensor& mean, const std::vector<int64_t>& indices, Tensor& out);
void batch_gather_labels_cpu(const Tensor& labels, const std::vector<int64_t>& indices, Tensor& out);

}  // namespace convlab
