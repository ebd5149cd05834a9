// The ops of convlab.layers, convlab.fast_layers and convlab.layer_utils, one
// binding each: arrays in (arrays.h), convlab's op on the run device with the
// requested variant ("" = the device's default), arrays and an opaque cache
// out. The cs231n signatures (dicts of parameters, the naive/fast names) are
// the Python package's job (python/convlab/layers.py).
#include <optional>
#include <string>
#include <utility>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "host/ops/dropout/dropout.h"
#include "host/ops/loss/loss.h"
#include "host/ops/optim/optim.h"
#include "host/ops/sandwich/sandwich.h"
#include "host/threads.h"
#include "python/src/arrays.h"
#include "python/src/bindings.h"

namespace convlab::python {

namespace {

// A forward's cache as Python holds it: the op's own cache and the device
// it ran on, which the backward runs on too.
template <class Cache>
struct Held {
  Cache cache;
  Device device;
};

template <class Cache>
void bind_cache(nb::module_& m, const char* name) {
  nb::class_<Held<Cache>>(m, name, "A forward's cache: hand it to the matching backward.")
      .def_prop_ro("device", [](const Held<Cache>& h) { return std::string(device_name(h.device)); });
}

template <class Cache>
nb::tuple forward_result(const OpDevice& d, Forward<Cache>&& f) {
  return nb::make_tuple(d.out_array(f.out), nb::cast(Held<Cache>{std::move(f.cache), d.run}));
}

// The device view of a backward: runs where the forward ran, returns to dout's device.
template <class Cache>
OpDevice backward_device(const Array& dout, const Held<Cache>& held) {
  OpDevice d("", dout);
  d.run = held.device;
  return d;
}

nb::tuple grads_result(const OpDevice& d, const Grads& g) {
  return nb::make_tuple(d.out_array(g.dx), d.out_array(g.dw), d.out_array(g.db));
}

nb::tuple norm_grads_result(const OpDevice& d, const NormGrads& g) {
  return nb::make_tuple(d.out_array(g.dx), d.out_array(g.dgamma), d.out_array(g.dbeta));
}

Mode parse_mode(const std::string& mode, const char* op) {
  if (mode == "train") return Mode::train;
  if (mode == "test") return Mode::test;
  throw Error(std::string(op) + ": mode must be \"train\" or \"test\", got \"" + mode + "\"");
}

// Batchnorm's running statistics: copies of the caller's (None: created as
// zeros), so that the arrays in bn_param are replaced, never written through.
BatchNormParam batchnorm_param(const OpDevice& d, const std::string& mode, double eps, double momentum,
                               const std::optional<Array>& running_mean, const std::optional<Array>& running_var,
                               const char* op) {
  BatchNormParam p;
  p.mode = parse_mode(mode, op);
  p.eps = eps;
  p.momentum = momentum;
  if (running_mean) p.running_mean = d.in(*running_mean, "bn_param['running_mean']").clone();
  if (running_var) p.running_var = d.in(*running_var, "bn_param['running_var']").clone();
  return p;
}

using BatchNormForward = Forward<NormCache> (*)(const Tensor&, const Tensor&, const Tensor&, BatchNormParam&,
                                                const std::string&);

nb::tuple batchnorm_like(BatchNormForward forward, const char* op, const Array& x, const Array& gamma,
                         const Array& beta, const std::string& mode, double eps, double momentum,
                         const std::optional<Array>& running_mean, const std::optional<Array>& running_var,
                         const std::string& device, const std::string& variant) {
  OpDevice d(device, x);
  BatchNormParam p = batchnorm_param(d, mode, eps, momentum, running_mean, running_var, op);
  auto f = forward(d.in(x, "x"), d.in(gamma, "gamma"), d.in(beta, "beta"), p, variant);
  nb::object out = d.out_array(f.out);
  return nb::make_tuple(out, nb::cast(Held<NormCache>{std::move(f.cache), d.run}), d.out_array(p.running_mean),
                        d.out_array(p.running_var));
}

Forward<NormCache> batchnorm_dispatch(const Tensor& x, const Tensor& g, const Tensor& b, BatchNormParam& p,
                                      const std::string& v) {
  return batchnorm_forward(x, g, b, p, v);
}
Forward<NormCache> spatial_batchnorm_dispatch(const Tensor& x, const Tensor& g, const Tensor& b, BatchNormParam& p,
                                              const std::string& v) {
  return spatial_batchnorm_forward(x, g, b, p, v);
}

constexpr const char* kDev = "device";
constexpr const char* kVar = "variant";

}  // namespace

void bind_layers(nb::module_& m) {
  bind_cache<AffineCache>(m, "AffineCache");
  bind_cache<ReluCache>(m, "ReluCache");
  bind_cache<NormCache>(m, "NormCache");
  bind_cache<DropoutCache>(m, "DropoutCache");
  bind_cache<ConvCache>(m, "ConvCache");
  bind_cache<PoolCache>(m, "PoolCache");
  bind_cache<AffineReluCache>(m, "AffineReluCache");
  bind_cache<ConvReluCache>(m, "ConvReluCache");
  bind_cache<ConvReluPoolCache>(m, "ConvReluPoolCache");

  m.def(
      "affine_forward",
      [](const Array& x, const Array& w, const Array& b, const std::string& device, const std::string& variant) {
        OpDevice d(device, x);
        return forward_result(d, affine_forward(d.in(x, "x"), d.in(w, "w"), d.in(b, "b"), variant));
      },
      "x"_a, "w"_a, "b"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "affine_backward",
      [](const Array& dout, const Held<AffineCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return grads_result(d, affine_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  m.def(
      "relu_forward",
      [](const Array& x, const std::string& device, const std::string& variant) {
        OpDevice d(device, x);
        return forward_result(d, relu_forward(d.in(x, "x"), variant));
      },
      "x"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "relu_backward",
      [](const Array& dout, const Held<ReluCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return d.out_array(relu_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  const auto bn_args = [&](const char* name, BatchNormForward forward) {
    m.def(
        name,
        [forward, name](const Array& x, const Array& gamma, const Array& beta, const std::string& mode, double eps,
                        double momentum, const std::optional<Array>& running_mean,
                        const std::optional<Array>& running_var, const std::string& device,
                        const std::string& variant) {
          return batchnorm_like(forward, name, x, gamma, beta, mode, eps, momentum, running_mean, running_var, device,
                                variant);
        },
        "x"_a, "gamma"_a, "beta"_a, "mode"_a, "eps"_a, "momentum"_a, "running_mean"_a.none(), "running_var"_a.none(),
        nb::arg(kDev) = "", nb::arg(kVar) = "");
  };
  bn_args("batchnorm_forward", &batchnorm_dispatch);
  bn_args("spatial_batchnorm_forward", &spatial_batchnorm_dispatch);

  using NormBackward = NormGrads (*)(const Tensor&, const NormCache&, const std::string&);
  const auto norm_backward = [&](const char* name, NormBackward backward) {
    m.def(
        name,
        [backward](const Array& dout, const Held<NormCache>& c, const std::string& variant) {
          OpDevice d = backward_device(dout, c);
          return norm_grads_result(d, backward(d.in(dout, "dout"), c.cache, variant));
        },
        "dout"_a, "cache"_a, nb::arg(kVar) = "");
  };
  norm_backward("batchnorm_backward", &batchnorm_backward);
  norm_backward("batchnorm_backward_alt", &batchnorm_backward_alt);
  norm_backward("spatial_batchnorm_backward", &spatial_batchnorm_backward);
  norm_backward("layernorm_backward", &layernorm_backward);
  norm_backward("spatial_groupnorm_backward", &spatial_groupnorm_backward);

  m.def(
      "layernorm_forward",
      [](const Array& x, const Array& gamma, const Array& beta, double eps, const std::string& device,
         const std::string& variant) {
        OpDevice d(device, x);
        LayerNormParam p;
        p.eps = eps;
        return forward_result(d, layernorm_forward(d.in(x, "x"), d.in(gamma, "gamma"), d.in(beta, "beta"), p, variant));
      },
      "x"_a, "gamma"_a, "beta"_a, "eps"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "spatial_groupnorm_forward",
      [](const Array& x, const Array& gamma, const Array& beta, int G, double eps, const std::string& device,
         const std::string& variant) {
        OpDevice d(device, x);
        GroupNormParam p;
        p.G = G;
        p.eps = eps;
        return forward_result(
            d, spatial_groupnorm_forward(d.in(x, "x"), d.in(gamma, "gamma"), d.in(beta, "beta"), p, variant));
      },
      "x"_a, "gamma"_a, "beta"_a, "G"_a, "eps"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");

  m.def(
      "dropout_forward",
      [](const Array& x, const std::string& mode, double p, uint64_t seed, const std::string& device,
         const std::string& variant) {
        OpDevice d(device, x);
        DropoutParam param;
        param.mode = parse_mode(mode, "dropout_forward");
        param.p = p;
        param.seed = seed;
        return forward_result(d, dropout_forward(d.in(x, "x"), param, variant));
      },
      "x"_a, "mode"_a, "p"_a, "seed"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "dropout_backward",
      [](const Array& dout, const Held<DropoutCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return d.out_array(dropout_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  m.def(
      "conv_forward",
      [](const Array& x, const Array& w, const Array& b, int stride, int pad, const std::string& device,
         const std::string& variant) {
        OpDevice d(device, x);
        return forward_result(d,
                              conv_forward(d.in(x, "x"), d.in(w, "w"), d.in(b, "b"), ConvParam{stride, pad}, variant));
      },
      "x"_a, "w"_a, "b"_a, "stride"_a, "pad"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "conv_backward",
      [](const Array& dout, const Held<ConvCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return grads_result(d, conv_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  m.def(
      "max_pool_forward",
      [](const Array& x, int pool_height, int pool_width, int stride, const std::string& device,
         const std::string& variant) {
        OpDevice d(device, x);
        return forward_result(d, max_pool_forward(d.in(x, "x"), PoolParam{pool_height, pool_width, stride}, variant));
      },
      "x"_a, "pool_height"_a, "pool_width"_a, "stride"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  m.def(
      "max_pool_backward",
      [](const Array& dout, const Held<PoolCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return d.out_array(max_pool_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  using LossFn = LossOut (*)(const Tensor&, const Tensor&, const std::string&);
  const auto loss = [&](const char* name, LossFn fn) {
    m.def(
        name,
        [fn](const Array& x, const Array& y, const std::string& device, const std::string& variant) {
          OpDevice d(device, x);
          LossOut l = fn(d.in(x, "x"), d.in(y, "y"), variant);  // y: int32 (the package converts labels)
          return nb::make_tuple(l.value(), d.out_array(l.dx));
        },
        "x"_a, "y"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");
  };
  loss("softmax_loss", [](const Tensor& x, const Tensor& y, const std::string& v) { return softmax_loss(x, y, v); });
  loss("svm_loss", [](const Tensor& x, const Tensor& y, const std::string& v) { return svm_loss(x, y, v); });

  // The sandwich layers run each op's default variant (conv_relu_pool: its own).
  m.def(
      "affine_relu_forward",
      [](const Array& x, const Array& w, const Array& b, const std::string& device) {
        OpDevice d(device, x);
        return forward_result(d, affine_relu_forward(d.in(x, "x"), d.in(w, "w"), d.in(b, "b")));
      },
      "x"_a, "w"_a, "b"_a, nb::arg(kDev) = "");
  m.def(
      "affine_relu_backward",
      [](const Array& dout, const Held<AffineReluCache>& c) {
        OpDevice d = backward_device(dout, c);
        return grads_result(d, affine_relu_backward(d.in(dout, "dout"), c.cache));
      },
      "dout"_a, "cache"_a);
  m.def(
      "conv_relu_forward",
      [](const Array& x, const Array& w, const Array& b, int stride, int pad, const std::string& device) {
        OpDevice d(device, x);
        return forward_result(d, conv_relu_forward(d.in(x, "x"), d.in(w, "w"), d.in(b, "b"), ConvParam{stride, pad}));
      },
      "x"_a, "w"_a, "b"_a, "stride"_a, "pad"_a, nb::arg(kDev) = "");
  m.def(
      "conv_relu_backward",
      [](const Array& dout, const Held<ConvReluCache>& c) {
        OpDevice d = backward_device(dout, c);
        return grads_result(d, conv_relu_backward(d.in(dout, "dout"), c.cache));
      },
      "dout"_a, "cache"_a);
  m.def(
      "conv_relu_pool_forward",
      [](const Array& x, const Array& w, const Array& b, int stride, int pad, int pool_height, int pool_width,
         int pool_stride, const std::string& device, const std::string& variant) {
        OpDevice d(device, x);
        return forward_result(d,
                              conv_relu_pool_forward(d.in(x, "x"), d.in(w, "w"), d.in(b, "b"), ConvParam{stride, pad},
                                                     PoolParam{pool_height, pool_width, pool_stride}, variant));
      },
      "x"_a, "w"_a, "b"_a, "stride"_a, "pad"_a, "pool_height"_a, "pool_width"_a, "pool_stride"_a, nb::arg(kDev) = "",
      nb::arg(kVar) = "");
  m.def(
      "conv_relu_pool_backward",
      [](const Array& dout, const Held<ConvReluPoolCache>& c, const std::string& variant) {
        OpDevice d = backward_device(dout, c);
        return grads_result(d, conv_relu_pool_backward(d.in(dout, "dout"), c.cache, variant));
      },
      "dout"_a, "cache"_a, nb::arg(kVar) = "");

  // One update of one parameter (cs231n's optim.py): returns the new w and
  // state, leaving the caller's arrays as they were.
  m.def(
      "optim_step",
      [](const Array& w, const Array& dw, const std::optional<Array>& s1, const std::optional<Array>& s2,
         const std::string& rule, double learning_rate, double momentum, double decay_rate, double beta1, double beta2,
         double epsilon, int64_t t, const std::string& device, const std::string& variant) {
        OpDevice d(device, w);
        OptimConfig c;
        c.rule = parse_update_rule(rule);
        c.learning_rate = learning_rate;
        c.momentum = momentum;
        c.decay_rate = decay_rate;
        c.beta1 = beta1;
        c.beta2 = beta2;
        c.epsilon = epsilon;
        std::vector<ParamSlot> slots(1);
        ParamSlot& p = slots[0];
        p.w = d.in(w, "w").clone();
        p.dw = d.in(dw, "dw");
        if (s1) p.s1 = d.in(*s1, "state").clone();
        if (s2) p.s2 = d.in(*s2, "state").clone();
        optim_step(slots, c, t, variant);
        const auto opt = [&](const Tensor& x) { return x.defined() ? d.out_array(x) : nb::none(); };
        return nb::make_tuple(d.out_array(p.w), opt(p.s1), opt(p.s2));
      },
      "w"_a, "dw"_a, "s1"_a.none(), "s2"_a.none(), "rule"_a, "learning_rate"_a, "momentum"_a, "decay_rate"_a, "beta1"_a,
      "beta2"_a, "epsilon"_a, "t"_a, nb::arg(kDev) = "", nb::arg(kVar) = "");

  m.def("set_num_threads", &set_num_threads, "n"_a, "The number of threads the CPU ops use from now on.");
  m.def("get_num_threads", &get_num_threads);

  m.def(
      "variants",
      [](const std::string& op, const std::string& device) {
        ensure_builtin_ops_registered();
        const Device dev = device == "cuda" ? Device::cuda : Device::cpu;
        for (const auto& o : registered_ops())
          if (op == o.name) return nb::make_tuple(o.variants(dev), o.default_variant(dev));
        throw Error("variants: no op named \"" + op + "\"");
      },
      "op"_a, "device"_a = "cpu", "The variants of an op on a device and the default one: (names, default).");

  m.def(
      "set_precision",
      [](const std::string& precision) { set_math_precision(Device::cuda, parse_math_precision(precision)); },
      "precision"_a, "The GPU's math precision from now on: fp32, tf32 or bf16 (host/ops/math_precision.h).");
  m.def("get_precision", [] { return std::string(math_precision_name(math_precision(Device::cuda))); });
}

}  // namespace convlab::python
