#include "host/data/dataset.h"

#include <cstring>

#ifdef CONVLAB_HAVE_CUDA
#include "kernels/data/augment_gather.h"
#include "kernels/data/batch_gather.h"
#endif

namespace convlab {

Dataset::Dataset(Tensor images, Tensor labels, Tensor mean, Tensor channel_mean, Tensor channel_std)
    : images_(std::move(images)),
      labels_(std::move(labels)),
      mean_(std::move(mean)),
      channel_mean_(std::move(channel_mean)),
      channel_std_(std::move(channel_std)) {
  CONVLAB_CHECK(images_.defined() && images_.ndim() >= 1, "Dataset: images must have a sample dimension");
  CONVLAB_CHECK(images_.dtype() == DType::u8 || images_.dtype() == DType::f32,
                "Dataset: images must be uint8 or float32, got " << dtype_name(images_.dtype()));
  CONVLAB_CHECK((labels_.dtype() == DType::i32 || labels_.dtype() == DType::f32) && labels_.ndim() == 1 &&
                    labels_.dim(0) == images_.dim(0),
                "Dataset: labels must be int32 or float32 of shape (" << images_.dim(0) << ",), got "
                                                                      << dtype_name(labels_.dtype()) << " "
                                                                      << shape_str(labels_.shape()));
  if (mean_.defined()) {
    CONVLAB_CHECK(
        mean_.dtype() == DType::f32 && mean_.shape() == sample_shape(),
        "Dataset: mean must be float32 of shape " << shape_str(sample_shape()) << ", got " << shape_str(mean_.shape()));
    CONVLAB_CHECK(mean_.device() == images_.device(), "Dataset: mean and images must be on the same device");
  }
  CONVLAB_CHECK(channel_mean_.defined() == channel_std_.defined(), "Dataset: channel_mean and channel_std go together");
  if (channel_mean_.defined()) {
    CONVLAB_CHECK(!mean_.defined(), "Dataset: a mean image and a per-channel mean exclude each other");
    CONVLAB_CHECK(images_.ndim() == 4,
                  "Dataset: a per-channel normalisation needs images (N, C, H, W), got " << shape_str(images_.shape()));
    const Shape cs{images_.dim(1)};
    for (const Tensor* t : {&channel_mean_, &channel_std_})
      CONVLAB_CHECK(t->dtype() == DType::f32 && t->shape() == cs && t->device() == images_.device(),
                    "Dataset: channel_mean and channel_std must be float32 of shape "
                        << shape_str(cs) << " on the images' device, got " << shape_str(t->shape()));
  }
  if (labels_.dtype() == DType::i32) {
    const Tensor hl = labels_.to(Device::cpu);
    host_labels_.assign(hl.data<int32_t>(), hl.data<int32_t>() + hl.numel());
  }
}

Shape Dataset::sample_shape() const { return Shape(images_.shape().begin() + 1, images_.shape().end()); }

Dataset Dataset::to(Device device) const {
  if (device == this->device()) return *this;
  auto moved = [device](const Tensor& t) { return t.defined() ? t.to(device) : Tensor(); };
  return Dataset(images_.to(device), labels_.to(device), moved(mean_), moved(channel_mean_), moved(channel_std_));
}

Dataset Dataset::head(int64_t n) const {
  CONVLAB_CHECK(n >= 0 && n <= size(), "Dataset::head: n must be in [0, " << size() << "], got " << n);
  return Dataset(images_.slice0(0, n), labels_.slice0(0, n), mean_, channel_mean_, channel_std_);
}

Batch Dataset::range(int64_t begin, int64_t end) const {
  std::vector<int64_t> idx;
  for (int64_t i = begin; i < end; ++i) idx.push_back(i);
  return gather(idx);
}

void Dataset::check_indices(const std::vector<int64_t>& indices) const {
  for (int64_t i : indices)
    CONVLAB_CHECK(i >= 0 && i < size(), "Dataset::gather: index " << i << " out of range [0, " << size() << ")");
}

Batch Dataset::gather(const std::vector<int64_t>& indices) const {
  if (channel_mean_.defined()) return augmented(indices, {}, true);
  const int64_t B = static_cast<int64_t>(indices.size());
  check_indices(indices);
  Shape xs = sample_shape();
  xs.insert(xs.begin(), B);
  Batch batch{Tensor(xs, DType::f32, device()), Tensor({B}, labels_.dtype(), device())};
  if (device() == Device::cpu) {
    batch_gather_cpu(images_, mean_, indices, batch.X);
    batch_gather_labels_cpu(labels_, indices, batch.y);
    return batch;
  }
#ifdef CONVLAB_HAVE_CUDA
  std::vector<double> idx_d(indices.begin(), indices.end());
  const Tensor idx = Tensor::from_vector(idx_d, {B}, DType::i32).to(device());
  kernels::batch_gather_cuda(images_, mean_, idx, batch.X);
  kernels::gather_labels_cuda(labels_, idx, batch.y);
  return batch;
#else
  throw Error("Dataset::gather: convlab was built without CUDA");
#endif
}

Batch Dataset::gather(const std::vector<int64_t>& indices, const std::vector<AugmentSample>& params,
                      PadMode pad) const {
  CONVLAB_CHECK(params.size() == indices.size(), "Dataset::gather: " << params.size()
                                                                     << " augmentation parameter sets for "
                                                                     << indices.size() << " indices");
  return augmented(indices, params, pad == PadMode::reflect);
}

Batch Dataset::augmented(const std::vector<int64_t>& indices, const std::vector<AugmentSample>& params,
                         bool reflect) const {
  CONVLAB_CHECK(images_.ndim() == 4,
                "Dataset::gather: augmentation and per-channel normalisation need images "
                "(N, C, H, W), got "
                    << shape_str(images_.shape()));
  check_indices(indices);
  const int64_t B = static_cast<int64_t>(indices.size());
  Shape xs = sample_shape();
  xs.insert(xs.begin(), B);
  Batch batch{Tensor(xs, DType::f32, device()), Tensor({B}, labels_.dtype(), device())};
  if (device() == Device::cpu) {
    NormalizeParams norm;
    if (mean_.defined()) norm.mean_image = mean_.data<float>();
    if (channel_mean_.defined()) {
      norm.channel_mean = channel_mean_.data<float>();
      norm.channel_std = channel_std_.data<float>();
    }
    augment_gather_cpu(images_, norm, indices, params, reflect, batch.X);
    batch_gather_labels_cpu(labels_, indices, batch.y);
    return batch;
  }
#ifdef CONVLAB_HAVE_CUDA
  if (B == 0) return batch;
  // The indices and the (B, 7) parameters go up as two small int32 arrays.
  std::vector<double> idx_d(indices.begin(), indices.end());
  const Tensor idx = Tensor::from_vector(idx_d, {B}, DType::i32).to(device());
  Tensor par;
  if (!params.empty()) {
    Tensor host({B, kAugmentSampleInts}, DType::i32);
    std::memcpy(host.raw(), params.data(), params.size() * sizeof(AugmentSample));
    par = host.to(device());
  }
  kernels::augment_gather_cuda(images_, mean_, channel_mean_, channel_std_, idx, par, reflect, batch.X);
  kernels::gather_labels_cuda(labels_, idx, batch.y);
  return batch;
#else
  throw Error("Dataset::gather: convlab was built without CUDA");
#endif
}

void batch_gather_cpu(const Tensor& src, const Tensor& mean, const std::vector<int64_t>& indices, Tensor& out) {
  const int64_t D = src.numel() / std::max<int64_t>(1, src.dim(0));
  const float* pm = mean.defined() ? mean.data<float>() : nullptr;
  float* po = out.data<float>();
  for (std::size_t b = 0; b < indices.size(); ++b) {
    float* o = po + static_cast<int64_t>(b) * D;
    if (src.dtype() == DType::u8) {
      const uint8_t* row = src.data<uint8_t>() + indices[b] * D;
      for (int64_t d = 0; d < D; ++d) o[d] = static_cast<float>(row[d]) - (pm ? pm[d] : 0.0f);
    } else {
      const float* row = src.data<float>() + indices[b] * D;
      for (int64_t d = 0; d < D; ++d) o[d] = row[d] - (pm ? pm[d] : 0.0f);
    }
  }
}

void batch_gather_labels_cpu(const Tensor& labels, const std::vector<int64_t>& indices, Tensor& out) {
  const std::size_t es = dtype_size(labels.dtype());  // int32 or float32: copied bytewise
  const char* pl = static_cast<const char*>(labels.raw());
  char* po = static_cast<char*>(out.raw());
  for (std::size_t b = 0; b < indices.size(); ++b)
    std::memcpy(po + b * es, pl + static_cast<std::size_t>(indices[b]) * es, es);
}

}  // namespace convlab
