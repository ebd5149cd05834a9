// Layer: one step of a network that owns its parameters, their gradients and
// the cache of its last forward pass (cs231n's layer functions wrapped in an
// object). forward(x, mode) keeps what backward(dout) needs; backward fills
// the gradients of the parameters and returns dx. A layer looks up its op's
// implementation once, when it is built and when it moves to another device
// (OpBinding), and tells which one it runs (plan()).
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/ops/common.h"
#include "host/random/numpy_random.h"

namespace convlab {

namespace dist {
class Communicator;
}

struct Param {
  std::string name;  // cs231n name: W1, b1, gamma1, ...
  Tensor value;
  Tensor grad;              // filled by backward
  bool regularize = false;  // L2 applies to weights only
  bool frozen = false;      // no gradient wanted (Model::set_frozen); grad left undefined
};

// How weights are drawn: weight_scale * randn (cs231n, rule scale), He/Kaiming
// sqrt(2 / fan_in) * randn (kaiming), or PyTorch's default for Conv2d and
// Linear, uniform in +-1/sqrt(fan_in) (pytorch). Biases start at zero.
enum class InitRule { scale, kaiming, pytorch };
struct WeightInit {
  double weight_scale = 1e-3;
  InitRule rule = InitRule::scale;
  DType dtype = DType::f32;
};

// One op's implementation as a layer holds it: looked up in the op's registry
// by bind() (the device's default variant) instead of on every call.
template <class Impl>
struct OpBinding {
  Impl impl{};
  std::string variant;
  Device device = Device::cpu;

  void bind(Device d) {
    variant = OpRegistry<Impl>::resolve(d);
    impl = OpRegistry<Impl>::get(d, variant);
    device = d;
  }
  // "<op> <device>/<variant>", e.g. "conv cpu/threaded".
  std::string describe() const { return std::string(Impl::name) + " " + device_name(device) + "/" + variant; }
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual const char* kind() const = 0;
  // Per-sample output shape (input shape without the batch dimension).
  virtual Shape output_shape() const = 0;
  virtual Tensor forward(const Tensor& x, Mode mode) = 0;
  // Returns dx; a layer told that its input needs no gradient (the first
  // layer of a model, whose input is data) may skip that work and return an
  // undefined Tensor.
  virtual Tensor backward(const Tensor& dout) = 0;
  // The layer's name in the start-up plan: conv1, affine2, relu, ...
  virtual std::string label() const { return kind(); }
  // What it runs: "<op> <device>/<variant>" (OpBinding::describe).
  virtual std::string plan() const = 0;
  void set_input_needs_grad(bool on) { input_needs_grad_ = on; }
  bool input_needs_grad() const { return input_needs_grad_; }

  std::vector<Param>& params() { return params_; }
  const std::vector<Param>& params() const { return params_; }
  // State that is saved with the model but not trained (batchnorm running statistics).
  virtual std::vector<std::pair<std::string, Tensor*>> buffers() { return {}; }
  // Called by the model before each training step (dropout draws a new mask).
  virtual void begin_step(int64_t /*t*/) {}
  // Data-parallel training with synchronized batchnorm: the ranks over which
  // a layer with batch statistics takes them (nullptr: its own shard only).
  virtual void set_batch_statistics_comm(dist::Communicator* /*comm*/) {}
  // Data-dependent initialisation (the whitening conv): how many training
  // inputs the layer wants (0: none), and the call that gets them, x being
  // those inputs as they reach this layer (N, ...), on the CPU.
  virtual int64_t data_init_samples() const { return 0; }
  virtual void init_from_data(const Tensor& /*x*/) {}
  // Moves parameters and buffers and binds the op implementations of
  // `device`; gradients are dropped until the next backward.
  virtual void to(Device device);

 protected:
  // Looks up the layer's op implementations for `device`: each layer's
  // constructor binds the CPU's, to() the new device's.
  virtual void bind(Device device) = 0;
  // Draws a weight of `shape` (fan_in = product of all but the last dim for
  // affine, of all but the first for conv) from rng.
  static Tensor draw_weight(NumpyRandom& rng, const Shape& shape, int64_t fan_in, const WeightInit& init);
  // For layers with W and b, or gamma and beta: stores their gradients and
  // returns g.dx. A layer without b keeps only dw; one without gamma only dbeta.
  Tensor keep_grads(const Grads& g);
  Tensor keep_grads(const NormGrads& g);
  std::vector<Param> params_;
  bool input_needs_grad_ = true;
};

using LayerPtr = std::unique_ptr<Layer>;

}  // namespace convlab
