// LayerStackModel: a classifier made of a stack of layers followed by the
// softmax (or multiclass SVM) loss, with L2 regularisation
// 0.5 * reg * sum(W^2) on the weights only, as cs231n's ThreeLayerConvNet
// and FullyConnectedNet. The three model types (three_layer_convnet, fc_net,
// sequential) differ only in how they build the stack. Runs of conv, relu,
// max_pool layers are fused into one conv_relu_pool layer (models/layers.h)
// unless `fusion` is off (the model config's "fusion": false).
#pragma once
#include <vector>

#include "host/ops/loss/loss.h"
#include "models/layer.h"
#include "models/model.h"

namespace convlab {

enum class LossKind { softmax, svm };

// The model config's "label_smoothing" (softmax only) and "loss_reduction".
struct LossOptions {
  double label_smoothing = 0.0;
  LossReduction reduction = LossReduction::mean;
};

class LayerStackModel : public Model {
 public:
  LayerStackModel(std::string type, std::vector<LayerPtr> layers, double reg, LossKind loss, DType dtype,
                  nlohmann::json description, bool fusion = true);

  std::string type() const override { return type_; }
  Tensor loss(const Tensor& X, const Tensor& y) override;
  Tensor scores(const Tensor& X) override;
  std::map<std::string, Tensor> params() override;
  std::map<std::string, Tensor> grads() override;
  // The kind of each parameter's layer (conv for a fused conv_relu_pool).
  std::map<std::string, ParamInfo> param_info() override;
  std::map<std::string, Tensor> buffers() override;
  void to(Device device) override;
  Device device() const override { return device_; }
  void begin_step(int64_t t) override;
  // Frozen parameters get no gradient, and the backward pass stops below
  // the last layer that has a parameter still training: a frozen first
  // layer (airbench's whitening conv) costs no backward work, nor does the
  // next layer's dx.
  void set_frozen(const std::set<std::string>& names) override;
  // With loss_reduction "sum" the data loss and its gradient are multiplied by
  // the ranks; with synchronized batchnorm the batchnorm layers take their
  // statistics over them.
  void set_data_parallel(dist::Communicator& comm) override;
  // The model config's "sync_batchnorm" (default false): batchnorm statistics
  // over the global batch when training on several ranks; added to describe().
  void set_sync_batchnorm(bool on);
  bool sync_batchnorm() const { return sync_batchnorm_; }
  // The most any layer wants; init_from_data runs X (test mode) through the
  // layers up to the last one that wants data, handing each its inputs.
  int64_t data_init_samples() const override;
  void init_from_data(const Tensor& X) override;
  nlohmann::json describe() const override { return description_; }
  std::vector<std::string> plan() const override;

  // Label smoothing and reduction of the loss (validated: smoothing in [0, 1),
  // softmax only); the non-default ones are added to describe().
  void set_loss_options(const LossOptions& o);
  const LossOptions& loss_options() const { return loss_options_; }

  const std::vector<LayerPtr>& layers() const { return layers_; }
  double reg() const { return reg_; }
  DType dtype() const { return dtype_; }

 private:
  Tensor forward(const Tensor& X, Mode mode);
  std::string type_;
  std::vector<LayerPtr> layers_;
  double reg_;
  LossKind loss_kind_;
  LossOptions loss_options_;
  DType dtype_;
  Device device_ = Device::cpu;
  nlohmann::json description_;
  bool fusion_;
  int data_parallel_ranks_ = 1;
  bool sync_batchnorm_ = false;
  OpBinding<SoftmaxLossImpl> softmax_;
  OpBinding<SvmLossImpl> svm_;
};

}  // namespace convlab
