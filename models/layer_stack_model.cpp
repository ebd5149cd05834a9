#include "models/layer_stack_model.h"

#include <algorithm>

#include <sstream>

#include "host/dist/communicator.h"
#include "host/ops/loss/loss.h"
#include "host/ops/scale/scale.h"
#include "models/layers.h"
#include "models/regularization.h"

namespace convlab {

LayerStackModel::LayerStackModel(std::string type, std::vector<LayerPtr> layers, double reg, LossKind loss, DType dtype,
                                 nlohmann::json description, bool fusion)
    : type_(std::move(type)),
      layers_(std::move(layers)),
      reg_(reg),
      loss_kind_(loss),
      dtype_(dtype),
      description_(std::move(description)),
      fusion_(fusion) {
  CONVLAB_CHECK(!layers_.empty(), type_ << ": a model needs at least one layer");
  if (fusion_) fuse_conv_relu_pool(layers_);
  if (loss_kind_ == LossKind::softmax)
    softmax_.bind(device_);
  else
    svm_.bind(device_);
  layers_.front()->set_input_needs_grad(false);  // the input is data
  std::map<std::string, int> seen;
  for (auto& l : layers_) {
    for (auto& p : l->params()) CONVLAB_CHECK(seen[p.name]++ == 0, type_ << ": duplicate parameter name " << p.name);
    for (auto& b : l->buffers()) CONVLAB_CHECK(seen[b.first]++ == 0, type_ << ": duplicate buffer name " << b.first);
  }
}

Tensor LayerStackModel::forward(const Tensor& X, Mode mode) {
  CONVLAB_CHECK(X.device() == device_, type_ << ": input X is on " << device_name(X.device()) << " but the model is on "
                                             << device_name(device_));
  Tensor h = X.dtype() == dtype_ ? X : X.to(Device::cpu).to(dtype_).to(device_);
  for (auto& l : layers_) h = l->forward(h, mode);
  return h;
}

Tensor LayerStackModel::scores(const Tensor& X) { return forward(X, Mode::test); }

int64_t LayerStackModel::data_init_samples() const {
  int64_t n = 0;
  for (const auto& l : layers_) n = std::max(n, l->data_init_samples());
  return n;
}

void LayerStackModel::init_from_data(const Tensor& X) {
  CONVLAB_CHECK(device_ == Device::cpu,
                type_ << ": the data-dependent initialisation runs before the model moves to " << device_name(device_));
  std::size_t last = 0;  // one past the last layer that wants data
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i]->data_init_samples() > 0) last = i + 1;
  Tensor h = X.to(Device::cpu).to(dtype_);
  for (std::size_t i = 0; i < last; ++i) {
    if (const int64_t n = layers_[i]->data_init_samples())
      layers_[i]->init_from_data(h.slice0(0, std::min(n, h.dim(0))));
    if (i + 1 < last) h = layers_[i]->forward(h, Mode::test);
  }
}

Tensor LayerStackModel::loss(const Tensor& X, const Tensor& y) {
  const Tensor s = forward(X, Mode::train);
  LossOut lo = loss_kind_ == LossKind::softmax
                   ? softmax_.impl.fn(s, y, SoftmaxLossParam{loss_options_.label_smoothing, loss_options_.reduction})
                   : svm_.impl.fn(s, y, SvmLossParam{loss_options_.reduction});
  Tensor total = lo.loss;
  Tensor d = lo.dx;
  if (loss_options_.reduction == LossReduction::sum && data_parallel_ranks_ > 1) {
    total = scale_forward(total, data_parallel_ranks_);
    d = scale_forward(d, data_parallel_ranks_);
  }
  // A layer whose parameters are all frozen and whose input needs no
  // gradient ends the pass: no layer below it has anything to train.
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    Layer& l = **it;
    const bool trains = std::any_of(l.params().begin(), l.params().end(), [](const Param& p) { return !p.frozen; });
    if (!trains && !l.input_needs_grad()) break;
    d = l.backward(d);
  }
  for (auto& l : layers_)
    for (auto& p : l->params())
      if (p.frozen) p.grad = Tensor();
  if (reg_ != 0.0)
    for (auto& l : layers_)
      for (auto& p : l->params()) {
        if (!p.regularize) continue;
        Tensor unused = p.frozen ? Tensor::zeros(p.value.shape(), p.value.dtype()).to(p.value.device()) : Tensor();
        add_l2_penalty(total, p.value, p.frozen ? unused : p.grad, reg_);  // the loss counts frozen weights too
      }
  return total;
}

std::map<std::string, Tensor> LayerStackModel::params() {
  std::map<std::string, Tensor> out;
  for (auto& l : layers_)
    for (auto& p : l->params()) out[p.name] = p.value;
  return out;
}

std::map<std::string, ParamInfo> LayerStackModel::param_info() {
  std::map<std::string, ParamInfo> out;
  for (auto& l : layers_) {
    // A fused conv-relu-pool layer holds the conv's parameters.
    const std::string kind = std::string(l->kind()) == "conv_relu_pool" ? "conv" : l->kind();
    for (auto& p : l->params()) out[p.name] = {kind, param_role(p.name)};
  }
  return out;
}

std::map<std::string, Tensor> LayerStackModel::grads() {
  std::map<std::string, Tensor> out;
  for (auto& l : layers_)
    for (auto& p : l->params()) out[p.name] = p.grad;
  return out;
}

std::map<std::string, Tensor> LayerStackModel::buffers() {
  std::map<std::string, Tensor> out;
  for (auto& l : layers_)
    for (auto& b : l->buffers()) out[b.first] = *b.second;
  return out;
}

void LayerStackModel::to(Device device) {
  for (auto& l : layers_) l->to(device);
  if (loss_kind_ == LossKind::softmax)
    softmax_.bind(device);
  else
    svm_.bind(device);
  device_ = device;
}

std::vector<std::string> LayerStackModel::plan() const {
  std::vector<std::string> lines;
  for (const auto& l : layers_) lines.push_back(l->label() + " -> " + l->plan());
  std::string loss = "loss -> " + (loss_kind_ == LossKind::softmax ? softmax_.describe() : svm_.describe());
  if (loss_options_.label_smoothing != 0.0) {
    std::ostringstream os;
    os << " label_smoothing " << loss_options_.label_smoothing;
    loss += os.str();
  }
  if (loss_options_.reduction != LossReduction::mean)
    loss += std::string(" reduction ") + loss_reduction_name(loss_options_.reduction);
  lines.push_back(loss);
  lines.push_back(std::string("fusion ") + (fusion_ ? "on" : "off (model.fusion = false)"));
  if (sync_batchnorm_) lines.push_back("sync_batchnorm on: batchnorm statistics over every rank's shard");
  return lines;
}

void LayerStackModel::set_data_parallel(dist::Communicator& comm) {
  data_parallel_ranks_ = comm.size();
  if (sync_batchnorm_)
    for (auto& l : layers_) l->set_batch_statistics_comm(&comm);
}

void LayerStackModel::set_sync_batchnorm(bool on) {
  sync_batchnorm_ = on;
  description_.erase("sync_batchnorm");
  if (on) description_["sync_batchnorm"] = true;
}

void LayerStackModel::set_loss_options(const LossOptions& o) {
  CONVLAB_CHECK(o.label_smoothing >= 0.0 && o.label_smoothing < 1.0,
                type_ << ": label_smoothing must be in [0, 1), got " << o.label_smoothing);
  CONVLAB_CHECK(o.label_smoothing == 0.0 || loss_kind_ == LossKind::softmax,
                type_ << ": label_smoothing applies to the softmax loss only, not to svm");
  loss_options_ = o;
  description_.erase("label_smoothing");
  description_.erase("loss_reduction");
  if (o.label_smoothing != 0.0) description_["label_smoothing"] = o.label_smoothing;
  if (o.reduction != LossReduction::mean) description_["loss_reduction"] = loss_reduction_name(o.reduction);
}

void LayerStackModel::set_frozen(const std::set<std::string>& names) {
  bool below_trains = false;  // some layer before this one has a parameter to train
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->set_input_needs_grad(below_trains);
    for (auto& p : layers_[i]->params()) {
      p.frozen = names.count(p.name) > 0;
      below_trains = below_trains || !p.frozen;
    }
  }
}

void LayerStackModel::begin_step(int64_t t) {
  for (auto& l : layers_) l->begin_step(t);
}

}  // namespace convlab
