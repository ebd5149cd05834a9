// Cases of batchnorm (+ its alternative backward), spatial batchnorm,
// layernorm and spatial group norm: one template, the op's Impl and Param.
#include <type_traits>

#include "bench/case_builder.h"
#include "bench/cases.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"

namespace convlab::bench {

// x of `shape`; gamma/beta of `features` values; `groups` saved statistics.
template <class Impl, class Param>
static Case norm_case(const std::string& group, const Shape& shape, int64_t features, int64_t groups, Param param,
                      std::map<std::string, int64_t> dims, const std::string& extra = "") {
  constexpr bool kBatch = std::is_same_v<Param, BatchNormParam>;
  const int64_t n = shape_numel(shape);
  Case c;
  c.op = Impl::name;
  c.group = group;
  c.shape = "x" + dims_str(shape) + extra;
  c.dims = std::move(dims);
  c.set_bytes = static_cast<std::size_t>(bytes_of(4 * n + 6 * features + 2 * groups));
  c.variants = registry_variants<Impl>();
  c.work["fwd"] = {0, norm_forward_bytes(n, features, groups, kBatch)};
  c.work["bwd"] = c.work["bwd_alt"] = {0, norm_backward_bytes(n, features, groups)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const Impl impl = OpRegistry<Impl>::get(dev, variant);
    struct In {
      Tensor x, gamma, beta;
      Param param;
    };
    std::vector<In> ins;
    for (int s = 0; s < sets; ++s) {
      const auto k = static_cast<uint64_t>(s) * 16;
      ins.push_back({random_tensor(shape, dev, k + 12, 2.0), random_tensor({features}, dev, k + 13),
                     random_tensor({features}, dev, k + 14), param});
    }
    using BwdFn = std::function<NormGrads(const Tensor&, const NormCache&)>;
    std::vector<std::pair<std::string, BwdFn>> bwds{
        {"bwd", [impl](const Tensor& d, const NormCache& cache) { return impl.backward(d, cache); }}};
    if constexpr (std::is_same_v<Impl, BatchNormImpl>) {
      if (impl.backward_alt)
        bwds.emplace_back("bwd_alt",
                          [impl](const Tensor& d, const NormCache& cache) { return impl.backward_alt(d, cache); });
    }
    using B = FwdBwd<In, NormCache, NormGrads>;
    return B::make(
        std::move(ins), [impl](In& in) { return impl.forward(in.x, in.gamma, in.beta, in.param); }, std::move(bwds),
        dev);
  };
  return c;
}

Case batchnorm_case(const std::string& group, int64_t N, int64_t D) {
  return norm_case<BatchNormImpl>(group, {N, D}, D, D, BatchNormParam{}, {{"N", N}, {"D", D}});
}

Case spatial_batchnorm_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W) {
  return norm_case<SpatialBatchNormImpl>(group, {N, C, H, W}, C, C, BatchNormParam{},
                                         {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
}

Case layernorm_case(const std::string& group, int64_t N, int64_t D) {
  return norm_case<LayerNormImpl>(group, {N, D}, D, N, LayerNormParam{}, {{"N", N}, {"D", D}});
}

Case spatial_groupnorm_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int G) {
  GroupNormParam p;
  p.G = G;
  return norm_case<SpatialGroupNormImpl>(group, {N, C, H, W}, C, N * G, p,
                                         {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"G", G}}, " G" + std::to_string(G));
}

}  // namespace convlab::bench
