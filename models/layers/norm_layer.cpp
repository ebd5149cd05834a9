#include "host/dist/communicator.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/norm/norm_sync.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "models/layers.h"

namespace convlab {

const char* norm_kind_name(NormKind k) {
  switch (k) {
    case NormKind::batchnorm:
      return "batchnorm";
    case NormKind::spatial_batchnorm:
      return "spatial_batchnorm";
    case NormKind::layernorm:
      return "layernorm";
    case NormKind::spatial_groupnorm:
      return "spatial_groupnorm";
  }
  return "?";
}

NormLayer::NormLayer(NormKind kind, const Shape& in, int index, const NormOptions& options, DType dtype)
    : kind_(kind), index_(std::to_string(index)), shape_(in), options_(options) {
  const bool spatial = kind == NormKind::spatial_batchnorm || kind == NormKind::spatial_groupnorm;
  CONVLAB_CHECK(!spatial || in.size() == 3, norm_kind_name(kind)
                                                << " layer: expects (C, H, W) input per sample, got " << shape_str(in));
  CONVLAB_CHECK(spatial || in.size() == 1, norm_kind_name(kind)
                                               << " layer: expects (D,) input per sample (put it after an affine "
                                               << "layer), got " << shape_str(in));
  const int64_t features = in[0];
  if (kind == NormKind::spatial_groupnorm)
    CONVLAB_CHECK(
        options.groups >= 1 && features % options.groups == 0,
        "spatial_groupnorm layer: groups (" << options.groups << ") must divide the channels (" << features << ")");
  const std::string k = std::to_string(index);
  if (options.scale)
    params_.push_back({"gamma" + k, Tensor::full({features}, 1.0, dtype), Tensor(), false});
  else
    fixed_gamma_ = Tensor::full({features}, 1.0, dtype);
  params_.push_back({"beta" + k, Tensor::zeros({features}, dtype), Tensor(), false});
  bn_.eps = options.eps;
  bn_.momentum = options.momentum;
  if (kind == NormKind::batchnorm || kind == NormKind::spatial_batchnorm) {
    bn_.running_mean = Tensor::zeros({features}, dtype);
    bn_.running_var = Tensor::zeros({features}, dtype);
    running_prefix_ = k;
  }
  bind(Device::cpu);
}

void NormLayer::bind(Device device) {
  switch (kind_) {
    case NormKind::batchnorm:
      batchnorm_.bind(device);
      break;
    case NormKind::spatial_batchnorm:
      spatial_batchnorm_.bind(device);
      break;
    case NormKind::layernorm:
      layernorm_.bind(device);
      break;
    case NormKind::spatial_groupnorm:
      spatial_groupnorm_.bind(device);
      break;
  }
}

std::string NormLayer::plan() const {
  switch (kind_) {
    case NormKind::batchnorm:
      return batchnorm_.describe();
    case NormKind::spatial_batchnorm:
      return spatial_batchnorm_.describe();
    case NormKind::layernorm:
      return layernorm_.describe();
    case NormKind::spatial_groupnorm:
      return spatial_groupnorm_.describe();
  }
  return "?";
}

std::vector<std::pair<std::string, Tensor*>> NormLayer::buffers() {
  if (!bn_.running_mean.defined()) return {};
  return {{"running_mean" + running_prefix_, &bn_.running_mean}, {"running_var" + running_prefix_, &bn_.running_var}};
}

void NormLayer::set_batch_statistics_comm(dist::Communicator* comm) {
  if (kind_ == NormKind::batchnorm || kind_ == NormKind::spatial_batchnorm) sync_comm_ = comm;
}

void NormLayer::to(Device device) {
  Layer::to(device);
  if (fixed_gamma_.defined()) fixed_gamma_ = fixed_gamma_.to(device);
  if (bn_.running_mean.defined()) {
    bn_.running_mean = bn_.running_mean.to(device);
    bn_.running_var = bn_.running_var.to(device);
  }
}

namespace {
// A sum over comm's ranks, for sync_batchnorm_forward/backward.
SumOverRanks sum_over(dist::Communicator& comm) {
  return [&comm](std::vector<double>& v) { comm.all_reduce_sum(v.data(), static_cast<int64_t>(v.size()), DType::f64); };
}
}  // namespace

Forward<NormCache> NormLayer::batchnorm_forward(BatchNormForwardFn* fn, const Tensor& x, const Tensor& gamma,
                                                const Tensor& beta) {
  if (!synced_) return fn(x, gamma, beta, bn_);
  return sync_batchnorm_forward(fn, x, gamma, beta, bn_, sync_comm_->size(), sum_over(*sync_comm_));
}

NormGrads NormLayer::batchnorm_backward(NormBackwardFn* fn, const Tensor& dout) {
  if (!synced_) return fn(dout, cache_);
  return sync_batchnorm_backward(fn, dout, cache_, sync_comm_->size(), sum_over(*sync_comm_));
}

Tensor NormLayer::forward(const Tensor& x, Mode mode) {
  const Tensor& gamma = options_.scale ? params_[0].value : fixed_gamma_;
  const Tensor& beta = params_.back().value;
  Forward<NormCache> f;
  bn_.mode = mode;
  synced_ = sync_comm_ != nullptr && sync_comm_->size() > 1 && mode == Mode::train;
  switch (kind_) {
    case NormKind::batchnorm:
      f = batchnorm_forward(batchnorm_.impl.forward, x, gamma, beta);
      break;
    case NormKind::spatial_batchnorm:
      f = batchnorm_forward(spatial_batchnorm_.impl.forward, x, gamma, beta);
      break;
    case NormKind::layernorm:
      f = layernorm_.impl.forward(x, gamma, beta, LayerNormParam{options_.eps});
      break;
    case NormKind::spatial_groupnorm:
      f = spatial_groupnorm_.impl.forward(x, gamma, beta, GroupNormParam{options_.groups, options_.eps});
      break;
  }
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor NormLayer::backward(const Tensor& dout) {
  NormGrads g;
  switch (kind_) {
    case NormKind::batchnorm:
      g = batchnorm_backward(batchnorm_.impl.backward, dout);
      break;
    case NormKind::spatial_batchnorm:
      g = batchnorm_backward(spatial_batchnorm_.impl.backward, dout);
      break;
    case NormKind::layernorm:
      g = layernorm_.impl.backward(dout, cache_);
      break;
    case NormKind::spatial_groupnorm:
      g = spatial_groupnorm_.impl.backward(dout, cache_);
      break;
  }
  return keep_grads(g);
}

}  // namespace convlab
