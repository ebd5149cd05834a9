// Cases of conv, max_pool and conv_relu_pool.
#include "bench/case_builder.h"
#include "bench/cases.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/max_pool/max_pool.h"

namespace convlab::bench {

Case conv_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t HH, int64_t WW,
               int stride, int pad) {
  const Shape xs{N, C, H, W}, ws{F, C, HH, WW};
  const ConvDims d = conv_dims(xs, ws, ConvParam{stride, pad});
  const int64_t nx = N * C * H * W, nw = F * C * HH * WW, nout = N * F * d.Hout * d.Wout;
  Case c;
  c.op = "conv";
  c.group = group;
  c.shape = "x" + dims_str(xs) + " w" + dims_str(ws) + " s" + std::to_string(stride) + " p" + std::to_string(pad);
  c.dims = {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"F", F}, {"HH", HH}, {"WW", WW}, {"stride", stride}, {"pad", pad}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(2 * (nx + nw + F + nout)));
  c.variants = registry_variants<ConvImpl>();
  c.work["fwd"] = {conv_forward_flops(d), bytes_of(nx + nw + F + nout)};
  c.work["bwd"] = {conv_backward_flops(d), bytes_of(2 * (nx + nw) + F + nout)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const ConvImpl impl = OpRegistry<ConvImpl>::get(dev, variant);
    const ConvParam param{stride, pad};
    using B = FwdBwd<LayerInput, ConvCache, Grads>;
    return B::make(
        layer_inputs(xs, ws, F, dev, sets, 1),
        [impl, param](LayerInput& in) { return impl.forward(in.x, in.w, in.b, param); },
        {{"bwd", [impl](const Tensor& d, const ConvCache& cache) { return impl.backward(d, cache, true); }}}, dev);
  };
  return c;
}

Case max_pool_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int ph, int pw, int stride) {
  const Shape xs{N, C, H, W};
  const PoolDims d = pool_dims(xs, PoolParam{ph, pw, stride});
  const int64_t nx = N * C * H * W, nout = N * C * d.Hout * d.Wout;
  Case c;
  c.op = "max_pool";
  c.group = group;
  c.shape = "x" + dims_str(xs) + " " + std::to_string(ph) + "x" + std::to_string(pw) + " s" + std::to_string(stride);
  c.dims = {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"pool_height", ph}, {"pool_width", pw}, {"stride", stride}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(2 * (nx + nout)));
  c.variants = registry_variants<MaxPoolImpl>();
  c.work["fwd"] = {0, pool_forward_bytes(nx, nout)};
  c.work["bwd"] = {0, pool_backward_bytes(nx, nout)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const MaxPoolImpl impl = OpRegistry<MaxPoolImpl>::get(dev, variant);
    const PoolParam param{ph, pw, stride};
    std::vector<Tensor> ins;
    for (int s = 0; s < sets; ++s) ins.push_back(random_tensor(xs, dev, 16 * static_cast<uint64_t>(s) + 4));
    using B = FwdBwd<Tensor, PoolCache, Tensor>;
    return B::make(
        std::move(ins), [impl, param](Tensor& x) { return impl.forward(x, param); },
        {{"bwd", [impl](const Tensor& d, const PoolCache& cache) { return impl.backward(d, cache); }}}, dev);
  };
  return c;
}

Case conv_relu_pool_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t k) {
  const int pad = static_cast<int>((k - 1) / 2);
  const Shape xs{N, C, H, W}, ws{F, C, k, k};
  const ConvDims cd = conv_dims(xs, ws, ConvParam{1, pad});
  const PoolDims pd = pool_dims(Shape{N, F, cd.Hout, cd.Wout}, PoolParam{2, 2, 2});
  const int64_t nx = N * C * H * W, nw = F * C * k * k, nout = N * F * pd.Hout * pd.Wout;
  Case c;
  c.op = "conv_relu_pool";
  c.group = group;
  c.shape = "x" + dims_str(xs) + " w" + dims_str(ws) + " p" + std::to_string(pad) + ", pool 2x2 s2";
  c.dims = {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"F", F}, {"HH", k}, {"WW", k}, {"stride", 1}, {"pad", pad}};
  c.set_bytes = static_cast<std::size_t>(bytes_of(2 * (nx + nw + F + nout)));
  c.variants = registry_variants<ConvReluPoolImpl>();
  // FLOPs of the conv; bytes of the fused variant's traffic (the conv output never stored):
  // forward reads x, w, b and writes the pooled output and its argmax; backward reads x, w,
  // dout, the pooled output and argmax and writes dx, dw, db.
  c.work["fwd"] = {conv_forward_flops(cd), bytes_of(nx + nw + F + 2 * nout)};
  c.work["bwd"] = {conv_backward_flops(cd), bytes_of(2 * (nx + nw) + F + 3 * nout)};
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const ConvReluPoolImpl impl = OpRegistry<ConvReluPoolImpl>::get(dev, variant);
    const ConvParam cp{1, pad};
    const PoolParam pp{2, 2, 2};
    using B = FwdBwd<LayerInput, ConvReluPoolCache, Grads>;
    return B::make(
        layer_inputs(xs, ws, F, dev, sets, 5),
        [impl, cp, pp](LayerInput& in) { return impl.forward(in.x, in.w, in.b, cp, pp); },
        {{"bwd", [impl](const Tensor& d, const ConvReluPoolCache& cache) { return impl.backward(d, cache, true); }}},
        dev);
  };
  return c;
}

}  // namespace convlab::bench
