// The layers a model can stack (models/layers/*.cpp). Each is constructed for
// a per-sample input shape and names its parameters as cs231n does; `index`
// is the number in the name (W1/b1, gamma1/beta1, ...).
#pragma once
#include <string>
#include <utility>

#include "host/ops/affine/affine.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/dropout/dropout.h"
#include "host/ops/gelu/gelu.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/relu/relu.h"
#include "host/ops/scale/scale.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "models/layer.h"

namespace convlab {

// Conv layer options (airbench): "bias": false gives no b<k> parameter (the
// op gets a fixed zero bias); "init":
//   "dirac": W drawn as usual, then the first min(C, F) filters made the
//     identity (W[i, i, k/2, k/2] = 1, zero elsewhere in filter i), as
//     torch.nn.init.dirac_;
//   "whiten": W from the training data (init_from_data): with K = C k k the
//     filter size and F = 2 K filters, the eigenvectors v_i (eigenvalues l_i,
//     descending) of the uncentred covariance of the k x k patches (stride 1,
//     no padding) of the first `whiten_images` inputs, scaled by
//     1 / sqrt(l_i + whiten_eps): filters v_i' and then -v_i'.
struct ConvOptions {
  enum class Init { draw, dirac, whiten };
  bool bias = true;
  Init init = Init::draw;
  int64_t whiten_images = 5000;
  double whiten_eps = 5e-4;
};

class ConvLayer : public Layer {
 public:
  ConvLayer(const Shape& in, int64_t num_filters, int64_t filter_size, ConvParam param, int index, NumpyRandom& rng,
            const WeightInit& init, const ConvOptions& options = {});
  const char* kind() const override { return "conv"; }
  Shape output_shape() const override { return out_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::string label() const override { return label_; }
  std::string plan() const override { return op_.describe(); }
  const ConvParam& param() const { return param_; }
  void to(Device device) override;
  // The trained b<k>, or the fixed zero bias when built with "bias": false.
  const Tensor& bias() const { return has_bias_ ? params_.at(1).value : fixed_bias_; }
  bool has_bias() const { return has_bias_; }
  int64_t data_init_samples() const override {
    return options_.init == ConvOptions::Init::whiten ? options_.whiten_images : 0;
  }
  void init_from_data(const Tensor& x) override;

 private:
  void bind(Device device) override { op_.bind(device); }
  ConvParam param_;
  ConvOptions options_;
  bool has_bias_ = true;
  Tensor fixed_bias_;  // zeros, when !has_bias_
  Shape out_;
  std::string label_;
  OpBinding<ConvImpl> op_;
  ConvCache cache_;
};

class AffineLayer : public Layer {
 public:
  // bias false (the config's "bias": false): no b<k>, a fixed zero bias.
  AffineLayer(const Shape& in, int64_t out_dim, int index, NumpyRandom& rng, const WeightInit& init, bool bias = true);
  const char* kind() const override { return "affine"; }
  Shape output_shape() const override { return {out_dim_}; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::string label() const override { return label_; }
  std::string plan() const override { return op_.describe(); }
  void to(Device device) override;

 private:
  void bind(Device device) override { op_.bind(device); }
  const Tensor& bias() const { return params_.size() > 1 ? params_[1].value : fixed_bias_; }
  Tensor fixed_bias_;  // zeros, without b<k>
  int64_t out_dim_;
  std::string label_;
  OpBinding<AffineImpl> op_;
  AffineCache cache_;
};

// An elementwise activation (relu, gelu: host/ops/<op>/): no parameters,
// forward keeps the op's cache for backward. kind() is the op's name.
template <class Impl, class Cache>
class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(const Shape& in) : shape_(in) { bind(Device::cpu); }
  const char* kind() const override { return Impl::name; }
  Shape output_shape() const override { return shape_; }
  Tensor forward(const Tensor& x, Mode) override {
    auto f = op_.impl.forward(x);
    cache_ = std::move(f.cache);
    return f.out;
  }
  Tensor backward(const Tensor& dout) override { return op_.impl.backward(dout, cache_); }
  std::string plan() const override { return op_.describe(); }

 private:
  void bind(Device device) override { op_.bind(device); }
  Shape shape_;
  OpBinding<Impl> op_;
  Cache cache_;
};

using ReluLayer = ActivationLayer<ReluImpl, ReluCache>;
using GeluLayer = ActivationLayer<GeluImpl, GeluCache>;  // the exact (erf) GELU

// out = factor * x (the scale op), any input shape; no parameters.
class ScaleLayer : public Layer {
 public:
  ScaleLayer(const Shape& in, double factor);
  const char* kind() const override { return "scale"; }
  Shape output_shape() const override { return shape_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::string plan() const override { return op_.describe(); }

 private:
  void bind(Device device) override { op_.bind(device); }
  Shape shape_;
  double factor_;
  OpBinding<ScaleImpl> op_;
};

class MaxPoolLayer : public Layer {
 public:
  MaxPoolLayer(const Shape& in, PoolParam param);
  const char* kind() const override { return "max_pool"; }
  Shape output_shape() const override { return out_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::string plan() const override { return op_.describe(); }
  const PoolParam& param() const { return param_; }

 private:
  void bind(Device device) override { op_.bind(device); }
  PoolParam param_;
  Shape out_;
  OpBinding<MaxPoolImpl> op_;
  PoolCache cache_;
};

// conv - relu - max_pool as one layer (the conv_relu_pool op, fused on the
// CPU). Built by fuse_conv_relu_pool from the three layers: it takes over
// the conv layer's parameters (W<k>, b<k>) and gives the pool's output shape.
class ConvReluPoolLayer : public Layer {
 public:
  ConvReluPoolLayer(ConvLayer& conv, const MaxPoolLayer& pool);
  const char* kind() const override { return "conv_relu_pool"; }
  Shape output_shape() const override { return out_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::string label() const override { return label_; }
  std::string plan() const override { return op_.describe(); }
  void to(Device device) override;

 private:
  void bind(Device device) override { op_.bind(device); }
  Tensor fixed_bias_;  // the conv's zero bias when it has no b<k> (else undefined)
  ConvParam conv_param_;
  PoolParam pool_param_;
  Shape out_;
  std::string label_;  // conv<k>+relu+max_pool
  OpBinding<ConvReluPoolImpl> op_;
  ConvReluPoolCache cache_;
};

// Replaces every run of conv, relu, max_pool layers in `layers` by one
// ConvReluPoolLayer; the model computes the same function with the same
// parameters, with less memory traffic. LayerStackModel does it unless the
// model's config says "fusion": false.
void fuse_conv_relu_pool(std::vector<LayerPtr>& layers);

// batchnorm (N, D), spatial_batchnorm (N, C, H, W), layernorm (N, D) and
// spatial_groupnorm (N, C, H, W): gamma (ones) and beta (zeros) per
// feature/channel; the batchnorms keep running_mean/running_var as buffers.
enum class NormKind { batchnorm, spatial_batchnorm, layernorm, spatial_groupnorm };
const char* norm_kind_name(NormKind k);

struct NormOptions {
  double eps = 1e-5;
  double momentum = 0.9;  // batchnorms
  int groups = 1;         // spatial_groupnorm
  // false: gamma is fixed at ones and is no parameter (no gamma<k>); beta<k>
  // is still trained (airbench's weight.requires_grad = False).
  bool scale = true;
};

class NormLayer : public Layer {
 public:
  NormLayer(NormKind kind, const Shape& in, int index, const NormOptions& options, DType dtype);
  const char* kind() const override { return norm_kind_name(kind_); }
  Shape output_shape() const override { return shape_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  std::vector<std::pair<std::string, Tensor*>> buffers() override;
  // Batchnorms only (host/ops/norm/norm_sync.h); the other norms take their
  // statistics per sample and need none.
  void set_batch_statistics_comm(dist::Communicator* comm) override;
  void to(Device device) override;
  std::string label() const override { return kind() + index_; }
  std::string plan() const override;

 private:
  void bind(Device device) override;
  // The batchnorms' forward and backward through `fn`, one variant's entry
  // point: plain, or synchronized over sync_comm_'s ranks when synced_.
  Forward<NormCache> batchnorm_forward(BatchNormForwardFn* fn, const Tensor& x, const Tensor& gamma,
                                       const Tensor& beta);
  NormGrads batchnorm_backward(NormBackwardFn* fn, const Tensor& dout);
  NormKind kind_;
  std::string index_;
  // The binding of kind_'s op (the others stay unbound).
  OpBinding<BatchNormImpl> batchnorm_;
  OpBinding<SpatialBatchNormImpl> spatial_batchnorm_;
  OpBinding<LayerNormImpl> layernorm_;
  OpBinding<SpatialGroupNormImpl> spatial_groupnorm_;
  Shape shape_;
  NormOptions options_;
  BatchNormParam bn_;
  Tensor fixed_gamma_;  // ones, when !options_.scale
  std::string running_prefix_;
  NormCache cache_;
  dist::Communicator* sync_comm_ = nullptr;  // synchronized batchnorm over its ranks
  bool synced_ = false;                      // cache_ is sync_batchnorm_forward's
};

class DropoutLayer : public Layer {
 public:
  // keep_ratio p in (0, 1]; seed: the mask depends on (seed + step, element).
  DropoutLayer(const Shape& in, double keep_ratio, uint64_t seed);
  const char* kind() const override { return "dropout"; }
  Shape output_shape() const override { return shape_; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dout) override;
  void begin_step(int64_t t) override { step_ = t; }
  std::string plan() const override { return op_.describe(); }

 private:
  void bind(Device device) override { op_.bind(device); }
  OpBinding<DropoutImpl> op_;
  Shape shape_;
  double keep_;
  uint64_t seed_;
  int64_t step_ = 0;
  DropoutCache cache_;
};

}  // namespace convlab
