#include "host/data/dataset.h"

#include <cstring>

#ifdef CONVLAB_HAVE_CUDA
#include "kernels/data/batch_gather.h"
#endif

namespace convlab {

Dataset::Dataset(Tensor images, Tensor labels, Tensor mean)
    : images_(std::move(images)), labels_(std::move(labels)), mean_(std::move(mean)) {
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
  if (labels_.dtype() == DType::i32) {
    const Tensor hl = labels_.to(Device::cpu);
    host_labels_.assign(hl.data<int32_t>(), hl.data<int32_t>() + hl.numel());
  }
}

Shape Dataset::sample_shape() const { return Shape(images_.shape().begin() + 1, images_.shape().end()); }

Dataset Dataset::to(Device device) const {
  if (device == this->device()) return *this;
  return Dataset(images_.to(device), labels_.to(device), mean_.defined() ? mean_.to(device) : Tensor());
}

Dataset Dataset::head(int64_t n) const {
  CONVLAB_CHECK(n >= 0 && n <= size(), "Dataset::head: n must be in [0, " << size() << "], got " << n);
  return Dataset(images_.slice0(0, n), labels_.slice0(0, n), mean_);
}

Batch Dataset::range(int64_t begin, int64_t end) const {
  std::vector<int64_t> idx;
  for (int64_t i = begin; i < end; ++i) idx.push_back(i);
  return gather(idx);
}

Batch Dataset::gather(const std::vector<int64_t>& indices) const {
  const int64_t B = static_cast<int64_t>(indices.size());
  for (int64_t i : indices)
    CONVLAB_CHECK(i >= 0 && i < size(), "Dataset::gather: index " << i << " out of range [0, " << size() << ")");
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
