// The test of synchronized batchnorm (host/ops/norm/norm_sync.h) for
// batchnorm and spatial_batchnorm: one variant, run as `ranks` equal shards
// of a batch along N, against the CPU reference's plain batchnorm over the
// whole batch.
#pragma once
#include <string>
#include <vector>

#include "host/ops/norm/norm_sync.h"
#include "norm_gpu_test_util.h"
#include "norm_test_util.h"

namespace convlab::test {

// The shards run one after the other in this process. Each sync call's
// all-reduce buffer depends only on its own shard, so every call runs twice:
// first recording the shards' buffers, then handing each shard their sum.
// Compared with the whole batch: the output, dx, the shards' dgamma and dbeta
// summed, and every shard's running statistics (all within tol, absolute).
template <class Impl>
void expect_sync_matches_whole_batch(const std::string& variant, Device device, const Shape& shape, int ranks, DType dt,
                                     NumpyRandom& rng, double tol) {
  const int64_t N = shape[0], C = shape[1], n = N / ranks;
  ASSERT_EQ(N % ranks, 0);
  const Tensor x = random_tensor(rng, shape, dt, 2.0, 0.5), dout = random_tensor(rng, shape, dt);
  const Tensor gamma = random_tensor(rng, {C}, dt, 0.5, 1.0), beta = random_tensor(rng, {C}, dt);
  BatchNormParam initial;
  initial.momentum = 0.7;
  initial.running_mean = random_tensor(rng, {C}, dt);
  initial.running_var = random_tensor(rng, {C}, dt, 0.1, 1.0);

  BatchNormParam whole_param = initial;
  whole_param.running_mean = initial.running_mean.clone();
  whole_param.running_var = initial.running_var.clone();
  const Impl& ref = cpu_reference<Impl>();
  const Forward<NormCache> whole = ref.forward(x, gamma, beta, whole_param);
  const NormGrads whole_grads = ref.backward(dout, whole.cache);

  const Impl& impl = OpRegistry<Impl>::get(device, variant);
  const std::string what = std::string(Impl::name) + " " + device_name(device) + "/" + variant + " on " +
                           std::to_string(ranks) + " shards of " + shape_str(shape);
  const Tensor g = gamma.to(device), b = beta.to(device);
  std::vector<Tensor> xs, douts;
  std::vector<BatchNormParam> params(ranks);
  for (int r = 0; r < ranks; ++r) {
    xs.push_back(x.slice0(r * n, (r + 1) * n).clone().to(device));
    douts.push_back(dout.slice0(r * n, (r + 1) * n).clone().to(device));
    params[r] = initial;
    params[r].running_mean = initial.running_mean.clone().to(device);
    params[r].running_var = initial.running_var.clone().to(device);
  }
  std::vector<double> total;
  const SumOverRanks record = [&](std::vector<double>& v) {
    if (total.empty()) total.assign(v.size(), 0.0);
    ASSERT_EQ(v.size(), total.size()) << what;
    for (std::size_t i = 0; i < v.size(); ++i) total[i] += v[i];
  };
  const SumOverRanks replay = [&](std::vector<double>& v) { v = total; };

  for (int r = 0; r < ranks; ++r) {
    BatchNormParam scratch = params[r];
    sync_batchnorm_forward(impl.forward, xs[r], g, b, scratch, ranks, record);
  }
  std::vector<Forward<NormCache>> fwd;
  for (int r = 0; r < ranks; ++r)
    fwd.push_back(sync_batchnorm_forward(impl.forward, xs[r], g, b, params[r], ranks, replay));
  total.clear();
  for (int r = 0; r < ranks; ++r) sync_batchnorm_backward(impl.backward, douts[r], fwd[r].cache, ranks, record);
  std::vector<double> out, dx, dgamma(C, 0.0), dbeta(C, 0.0);
  for (int r = 0; r < ranks; ++r) {
    const NormGrads gr = sync_batchnorm_backward(impl.backward, douts[r], fwd[r].cache, ranks, replay);
    for (double v : fwd[r].out.to_vector()) out.push_back(v);
    for (double v : gr.dx.to_vector()) dx.push_back(v);
    const auto dg = gr.dgamma.to_vector(), db = gr.dbeta.to_vector();
    for (int64_t c = 0; c < C; ++c) {
      dgamma[c] += dg[c];
      dbeta[c] += db[c];
    }
    expect_near_all(params[r].running_mean.to_vector(), whole_param.running_mean.to_vector(), tol,
                    (what + " running_mean").c_str());
    expect_near_all(params[r].running_var.to_vector(), whole_param.running_var.to_vector(), tol,
                    (what + " running_var").c_str());
  }
  expect_near_all(out, whole.out.to_vector(), tol, (what + " out").c_str());
  expect_near_all(dx, whole_grads.dx.to_vector(), tol, (what + " dx").c_str());
  expect_near_all(dgamma, whole_grads.dgamma.to_vector(), tol * N, (what + " dgamma").c_str());
  expect_near_all(dbeta, whole_grads.dbeta.to_vector(), tol * N, (what + " dbeta").c_str());
}

// Every variant of the op on `device`, run as 1, 2 and 3 shards of a batch of
// `shape`, float64 and float32.
template <class Impl>
void expect_sync_variants_match(Device device, const Shape& shape) {
  NumpyRandom rng(21);
  const auto variants = OpRegistry<Impl>::variants(device);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (int ranks : {1, 2, 3})
      for (DType dt : {DType::f64, DType::f32})
        expect_sync_matches_whole_batch<Impl>(v, device, shape, ranks, dt, rng, dt == DType::f64 ? 1e-10 : 5e-5);
}

// Test mode, no ranks, and a plain forward's cache are refused with messages.
template <class Impl>
void expect_sync_refuses_bad_use(const Shape& shape) {
  NumpyRandom rng(22);
  const Tensor x = random_tensor(rng, shape, DType::f64), gamma = Tensor::full({shape[1]}, 1.0, DType::f64),
               beta = Tensor::zeros({shape[1]}, DType::f64);
  const SumOverRanks sum = [](std::vector<double>&) {};
  const Impl& ref = cpu_reference<Impl>();
  BatchNormParam p;
  p.mode = Mode::test;
  EXPECT_ERROR_CONTAINS(sync_batchnorm_forward(ref.forward, x, gamma, beta, p, 2, sum), "train mode only");
  p.mode = Mode::train;
  EXPECT_ERROR_CONTAINS(sync_batchnorm_forward(ref.forward, x, gamma, beta, p, 0, sum), "ranks must be at least 1");
  const Forward<NormCache> plain = ref.forward(x, gamma, beta, p);
  EXPECT_ERROR_CONTAINS(sync_batchnorm_backward(ref.backward, x, plain.cache, 2, sum),
                        "expected the cache of sync_batchnorm_forward");
}

}  // namespace convlab::test
