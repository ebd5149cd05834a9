// Dataset: labelled samples kept once on one device (uint8 pixels or float
// features, NCHW), plus the mean image to subtract. gather(indices) builds a
// float32 batch X = images[indices] - mean and y = labels[indices] on the
// dataset's device: on the GPU this is one kernel (kernels/data/batch_gather.cu),
// so a training step copies only the batch's indices to the device.
#pragma once
#include <cstdint>
#include <vector>

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
  // per-sample shape, or undefined for none.
  Dataset(Tensor images, Tensor labels, Tensor mean);

  int64_t size() const { return images_.defined() ? images_.dim(0) : 0; }
  Shape sample_shape() const;
  Device device() const { return images_.device(); }
  const Tensor& images() const { return images_; }
  const Tensor& labels() const { return labels_; }                          // on the dataset's device
  const std::vector<int32_t>& host_labels() const { return host_labels_; }  // int32 labels only
  const Tensor& mean() const { return mean_; }

  Dataset to(Device device) const;  // uploads images, labels and mean once
  Dataset head(int64_t n) const;    // the first n samples (shares storage)
  Batch gather(const std::vector<int64_t>& indices) const;
  Batch range(int64_t begin, int64_t end) const;  // samples [begin, end)

 private:
  Tensor images_, labels_, mean_;
  std::vector<int32_t> host_labels_;
};

// Batch-gather implementations (host/data/dataset.cpp on the CPU,
// kernels/data/batch_gather.cu on the GPU): out[b, :] = float(src[idx[b], :]) - mean.
void batch_gather_cpu(const Tensor& src, const Tensor& mean, const std::vector<int64_t>& indices, Tensor& out);
void batch_gather_labels_cpu(const Tensor& labels, const std::vector<int64_t>& indices, Tensor& out);

}  // namespace convlab
