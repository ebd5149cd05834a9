// Building blocks of the op cases: random inputs on a device, and instances
// whose passes call an op's forward and backward functions over rotated
// input sets. Results are kept until the next prepare(), so freeing them
// stays out of the timed region; allocating the outputs (the ops do) stays in.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/harness.h"
#include "host/ops/registry.h"

namespace convlab::bench {

// float32 tensor of values uniform in [-scale, scale), a function of (seed,
// index) only; never all zeros, so no pass runs on suspiciously easy data.
Tensor random_tensor(const Shape& shape, Device device, uint64_t seed, double scale = 1.0);
// The inputs of a layer with weights (conv, conv_relu_pool, affine), `sets`
// of them: x and b uniform in [-1, 1), w in [-0.1, 0.1); set s drawn from
// seeds 16 s + seed0 + {0, 1, 2}.
struct LayerInput {
  Tensor x, w, b;
};
std::vector<LayerInput> layer_inputs(const Shape& xs, const Shape& ws, int64_t nb, Device device, int sets,
                                     uint64_t seed0);
// int32 labels uniform in [0, classes).
Tensor random_labels(int64_t n, int64_t classes, Device device, uint64_t seed);

// Variants of an op on a device, from its registry.
template <class Impl>
std::function<std::vector<std::string>(Device)> registry_variants() {
  return [](Device d) { return OpRegistry<Impl>::variants(d); };
}

// A forward pass and one or more backward passes (e.g. bwd and bwd_alt).
// fwd(inputs) -> Forward<Cache>; each backward (dout, cache) -> R. The
// backward's cache and a random dout come from an untimed forward on the
// same input set, made once per set.
template <class Inputs, class Cache, class R>
struct FwdBwd {
  using FwdFn = std::function<Forward<Cache>(Inputs&)>;
  using BwdFn = std::function<R(const Tensor&, const Cache&)>;

  static Instance make(std::vector<Inputs> sets, FwdFn fwd, std::vector<std::pair<std::string, BwdFn>> bwds,
                       Device device) {
    struct State {
      std::vector<Inputs> sets;
      FwdFn fwd;
      Device device;
      std::vector<Forward<Cache>> saved;
      std::vector<Tensor> dout;
      std::vector<bool> ready;
      Forward<Cache> kept_fwd;
      R kept_bwd;
      void ensure(int i) {
        const auto k = static_cast<std::size_t>(i);
        if (ready[k]) return;
        saved[k] = fwd(sets[k]);
        dout[k] = random_tensor(saved[k].out.shape(), device, 1000 + static_cast<uint64_t>(i));
        ready[k] = true;
      }
    };
    auto st = std::make_shared<State>();
    const std::size_t n = sets.size();
    st->sets = std::move(sets);
    st->fwd = std::move(fwd);
    st->device = device;
    st->saved.resize(n);
    st->dout.resize(n);
    st->ready.assign(n, false);

    Instance inst;
    inst.passes.push_back(PassSpec{"fwd", [st](int) { st->kept_fwd = Forward<Cache>{}; },
                                   [st](int i) { st->kept_fwd = st->fwd(st->sets[static_cast<std::size_t>(i)]); }});
    for (auto& [name, bwd] : bwds) {
      if (!bwd) continue;
      inst.passes.push_back(PassSpec{name,
                                     [st](int i) {
                                       st->kept_bwd = R{};
                                       st->ensure(i);
                                     },
                                     [st, bwd = bwd](int i) {
                                       const auto k = static_cast<std::size_t>(i);
                                       st->kept_bwd = bwd(st->dout[k], st->saved[k].cache);
                                     }});
    }
    return inst;
  }
};

// A single timed call per rep (losses: forward and gradient at once; update rules).
template <class Inputs, class R>
Instance single_pass(const std::string& pass, std::vector<Inputs> sets, std::function<R(Inputs&)> fn) {
  struct State {
    std::vector<Inputs> sets;
    std::function<R(Inputs&)> fn;
    R kept;
  };
  auto st = std::make_shared<State>();
  st->sets = std::move(sets);
  st->fn = std::move(fn);
  Instance inst;
  inst.passes.push_back(PassSpec{pass, [st](int) { st->kept = R{}; },
                                 [st](int i) { st->kept = st->fn(st->sets[static_cast<std::size_t>(i)]); }});
  return inst;
}

// "(a, b, c)" of a shape, for case labels.
std::string dims_str(const Shape& s);

}  // namespace convlab::bench
