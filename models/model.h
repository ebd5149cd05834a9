// Model: what the Solver trains (cs231n's model objects).
//
//   loss(X, y)   train mode: the scalar loss (data loss + L2 penalty) as a
//                tensor on the model's device, gradients stored for grads()
//   scores(X)    test mode: the outputs (class scores, or predictions)
//   params() / grads() / buffers()   by cs231n name (W1, b1, gamma1, ...);
//                the tensors share storage with the model, so updating them
//                in place updates the model
//   param_info() each parameter's layer kind and role, by name (what the
//                solver's parameter groups match on)
//   metric()     how the Solver evaluates it: accuracy for classifiers (higher
//                is better); a regression model reports e.g. mean absolute
//                error (lower is better). metric_sum() returns the metric
//                summed over a batch, so the Solver can average over batches.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/tensor.h"

namespace convlab {

namespace dist {
class Communicator;
}

struct Metric {
  std::string name;       // "acc", "mae"
  bool higher_is_better;  // selects the best parameters on validation
};

// What a parameter is: `layer` the kind of layer that owns it ("conv",
// "affine", "batchnorm", "spatial_batchnorm", "layernorm",
// "spatial_groupnorm"; a conv fused with its relu and pool stays "conv"),
// `role` "weight" (W, gamma) or "bias" (b, beta).
struct ParamInfo {
  std::string layer;
  std::string role;
};

// The role of a parameter from its cs231n name: W*, gamma* -> "weight";
// b*, beta* -> "bias"; any other name -> "weight".
std::string param_role(const std::string& name);

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string type() const = 0;

  virtual Tensor loss(const Tensor& X, const Tensor& y) = 0;
  double loss_value(const Tensor& X, const Tensor& y) { return loss(X, y).to(Device::cpu).item(); }
  virtual Tensor scores(const Tensor& X) = 0;

  virtual std::map<std::string, Tensor> params() = 0;
  virtual std::map<std::string, Tensor> grads() = 0;
  virtual std::map<std::string, Tensor> buffers() { return {}; }
  // Every parameter of params() by name. The default gives each the layer
  // kind type() and the role param_role(name).
  virtual std::map<std::string, ParamInfo> param_info();
  // Copies values into the named parameters/buffers (same shapes; any device).
  // Unknown or missing names are an error naming them.
  void load_state(const std::map<std::string, Tensor>& state);
  std::map<std::string, Tensor> state();  // params + buffers

  virtual void to(Device device) = 0;
  virtual Device device() const = 0;
  // Called by the Solver before each training step t (0, 1, ...).
  virtual void begin_step(int64_t /*t*/) {}
  // The parameters that the next loss() calls need no gradient for (frozen
  // by the solver's parameter groups): a model may skip that work and leave
  // their grads() entries undefined. The default computes every gradient.
  virtual void set_frozen(const std::set<std::string>& /*names*/) {}
  // Data-parallel training on comm's n ranks (host/dist/gradient_sync.h): the
  // Solver averages the ranks' gradients, each computed on 1/n of the global
  // batch. That is the global batch's gradient for a loss averaged over the
  // batch; a model whose loss is summed over the batch multiplies its data
  // loss by n. A model with synchronized batchnorm takes its statistics over
  // the ranks through comm, which must outlive the training.
  virtual void set_data_parallel(dist::Communicator& /*comm*/) {}
  // Data-dependent initialisation (a whitening conv layer): the number of
  // training inputs the model wants before training (0: none), and the call
  // that hands them over (the first data_init_samples() training inputs,
  // normalised as training batches are, without augmentation).
  virtual int64_t data_init_samples() const { return 0; }
  virtual void init_from_data(const Tensor& /*X*/) {}

  virtual Metric metric() const { return {"acc", true}; }
  // Classifier: number of rows whose argmax equals the label.
  virtual double metric_sum(const Tensor& scores, const Tensor& y) const;

  // A short description for logs and summary.json.
  virtual nlohmann::json describe() const = 0;
  // What runs for each layer, one line each ("conv1 -> conv cpu/threaded");
  // empty for models that are not a stack of ops.
  virtual std::vector<std::string> plan() const { return {}; }
};

using ModelPtr = std::unique_ptr<Model>;

}  // namespace convlab
