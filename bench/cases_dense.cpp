// Cases of affine, relu, gelu, dropout and the two losses.
#include <type_traits>
#include <utility>

#include "bench/case_builder.h"
#include "bench/cases.h"
#include "host/ops/affine/affine.h"
#include "host/ops/dropout/dropout.h"
#include "host/ops/gelu/gelu.h"
#include "host/ops/loss/loss.h"
#include "host/ops/relu/relu.h"

namespace convlab::bench {

Case affine_case(const std::string& group, int64_t N, int64_t D, int64_t M) {
  const Shape xs{N, D}, ws{D, M};
  Case c;
  c.op = "affine";
  c.group = group;
  c.shape = "x" + dims_str(xs) + " w" + dims_str(ws);
  c.dims = {{"N", N}, {"D", D}, {"M", M}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(2 * (N * D + D * M + M + N * M)));
  c.variants = registry_variants<AffineImpl>();
  c.work["fwd"] = {affine_forward_flops(N, D, M), bytes_of(N * D + D * M + M + N * M)};
  c.work["bwd"] = {affine_backward_flops(N, D, M), bytes_of(2 * (N * D + D * M) + M + N * M)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const AffineImpl impl = OpRegistry<AffineImpl>::get(dev, variant);
    using B = FwdBwd<LayerInput, AffineCache, Grads>;
    return B::make(
        layer_inputs(xs, ws, M, dev, sets, 5), [impl](LayerInput& in) { return impl.forward(in.x, in.w, in.b); },
        {{"bwd", [impl](const Tensor& d, const AffineCache& cache) { return impl.backward(d, cache, true); }}}, dev);
  };
  return c;
}

// An elementwise activation (Impl: ReluImpl, GeluImpl) on x of `shape`.
template <class Impl>
Case activation_case(const std::string& group, const Shape& shape, uint64_t seed) {
  const int64_t n = shape_numel(shape);
  Case c;
  c.op = Impl::name;
  c.group = group;
  c.shape = "x" + dims_str(shape);
  c.dims = {{"numel", n}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(4 * n));
  c.variants = registry_variants<Impl>();
  c.work["fwd"] = {0, elementwise_forward_bytes(n)};
  c.work["bwd"] = {0, elementwise_backward_bytes(n)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const Impl impl = OpRegistry<Impl>::get(dev, variant);
    std::vector<Tensor> ins;
    for (int s = 0; s < sets; ++s) ins.push_back(random_tensor(shape, dev, 16 * static_cast<uint64_t>(s) + seed));
    using CacheT = std::decay_t<decltype(impl.forward(std::declval<const Tensor&>()).cache)>;
    using B = FwdBwd<Tensor, CacheT, Tensor>;
    return B::make(
        std::move(ins), [impl](Tensor& x) { return impl.forward(x); },
        {{"bwd", [impl](const Tensor& d, const CacheT& cache) { return impl.backward(d, cache); }}}, dev);
  };
  return c;
}

Case relu_case(const std::string& group, const Shape& shape) { return activation_case<ReluImpl>(group, shape, 8); }
Case gelu_case(const std::string& group, const Shape& shape) { return activation_case<GeluImpl>(group, shape, 10); }

Case dropout_case(const std::string& group, const Shape& shape, double keep) {
  const int64_t n = shape_numel(shape);
  Case c;
  c.op = "dropout";
  c.group = group;
  c.shape = "x" + dims_str(shape) + " p" + std::to_string(keep).substr(0, 4);
  c.dims = {{"numel", n}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(5 * n));
  c.variants = registry_variants<DropoutImpl>();
  c.work["fwd"] = {0, dropout_forward_bytes(n)};
  c.work["bwd"] = {0, dropout_backward_bytes(n)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const DropoutImpl impl = OpRegistry<DropoutImpl>::get(dev, variant);
    struct In {
      Tensor x;
      DropoutParam param;
    };
    std::vector<In> ins;
    for (int s = 0; s < sets; ++s) {
      DropoutParam p;
      p.mode = Mode::train;
      p.p = keep;
      p.seed = 123 + static_cast<uint64_t>(s);
      ins.push_back({random_tensor(shape, dev, 16 * static_cast<uint64_t>(s) + 9), p});
    }
    using B = FwdBwd<In, DropoutCache, Tensor>;
    return B::make(
        std::move(ins), [impl](In& in) { return impl.forward(in.x, in.param); },
        {{"bwd", [impl](const Tensor& d, const DropoutCache& cache) { return impl.backward(d, cache); }}}, dev);
  };
  return c;
}

// softmax_loss and svm_loss share everything but the registry.
template <class Impl>
static Case loss_case(const std::string& group, int64_t N, int64_t C) {
  Case c;
  c.op = Impl::name;
  c.group = group;
  c.shape = "x" + dims_str({N, C});
  c.dims = {{"N", N}, {"C", C}};
  c.set_bytes = static_cast<std::size_t>(loss_bytes(N, C));
  c.variants = registry_variants<Impl>();
  c.work["fwd+bwd"] = {0, loss_bytes(N, C)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const Impl impl = OpRegistry<Impl>::get(dev, variant);
    struct In {
      Tensor x, y;
    };
    std::vector<In> ins;
    for (int s = 0; s < sets; ++s) {
      const auto k = static_cast<uint64_t>(s) * 16;
      ins.push_back({random_tensor({N, C}, dev, k + 10, 3.0), random_labels(N, C, dev, k + 11)});
    }
    return single_pass<In, LossOut>("fwd+bwd", std::move(ins), [impl](In& in) { return impl.fn(in.x, in.y, {}); });
  };
  return c;
}

Case softmax_loss_case(const std::string& group, int64_t N, int64_t C) {
  return loss_case<SoftmaxLossImpl>(group, N, C);
}
Case svm_loss_case(const std::string& group, int64_t N, int64_t C) { return loss_case<SvmLossImpl>(group, N, C); }

}  // namespace convlab::bench
