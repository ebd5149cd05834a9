#include <algorithm>
#include <cmath>
#include <vector>

#include "host/cpu/symmetric_eigen.h"

#include "host/ops/conv/conv.h"
#include "models/layers.h"

namespace convlab {

ConvLayer::ConvLayer(const Shape& in, int64_t num_filters, int64_t filter_size, ConvParam param, int index,
                     NumpyRandom& rng, const WeightInit& init, const ConvOptions& options)
    : param_(param), options_(options), has_bias_(options.bias) {
  CONVLAB_CHECK(in.size() == 3, "conv layer: expects (C, H, W) input per sample, got " << shape_str(in));
  CONVLAB_CHECK(num_filters >= 1 && filter_size >= 1, "conv layer: num_filters and filter_size must be >= 1");
  const int64_t C = in[0];
  const ConvDims d = conv_dims({1, C, in[1], in[2]}, {num_filters, C, filter_size, filter_size}, param);
  out_ = {num_filters, d.Hout, d.Wout};
  const std::string k = std::to_string(index);
  label_ = "conv" + k;
  bind(Device::cpu);
  Tensor W = draw_weight(rng, {num_filters, C, filter_size, filter_size}, C * filter_size * filter_size, init);
  if (options.init == ConvOptions::Init::whiten)
    CONVLAB_CHECK(num_filters == 2 * C * filter_size * filter_size,
                  "conv layer: \"init\": \"whiten\" needs num_filters = 2 x channels x filter_size^2 = "
                      << 2 * C * filter_size * filter_size << " (the eigenvectors and their negatives), got "
                      << num_filters);
  if (options.init == ConvOptions::Init::dirac) {
    const int64_t kk = filter_size * filter_size, c = filter_size / 2;
    auto identity = [&](auto* w) {
      for (int64_t i = 0; i < std::min(C, num_filters); ++i) {
        auto* f = w + i * C * kk;
        std::fill(f, f + C * kk, 0);
        f[i * kk + c * filter_size + c] = 1;
      }
    };
    if (W.dtype() == DType::f64)
      identity(W.data<double>());
    else
      identity(W.data<float>());
  }
  params_.push_back({"W" + k, W, Tensor(), true});
  if (has_bias_)
    params_.push_back({"b" + k, Tensor::zeros({num_filters}, init.dtype), Tensor(), false});
  else
    fixed_bias_ = Tensor::zeros({num_filters}, init.dtype);
}

void ConvLayer::init_from_data(const Tensor& x) {
  if (options_.init != ConvOptions::Init::whiten) return;
  const Tensor& W = params_.at(0).value;
  const int64_t C = W.dim(1), k = W.dim(2), K = C * k * k;
  CONVLAB_CHECK(
      x.device() == Device::cpu && x.ndim() == 4 && x.dim(1) == C && x.dim(2) >= k && x.dim(3) >= k && x.dim(0) >= 1,
      label_ << ": the whitening initialisation needs CPU inputs (N, " << C << ", >= " << k << ", >= " << k << "), got "
             << shape_str(x.shape()) << " on " << device_name(x.device()));
  const Tensor xd = x.to(DType::f64);
  const double* px = xd.data<double>();
  const int64_t N = x.dim(0), H = x.dim(2), Wd = x.dim(3), Ho = H - k + 1, Wo = Wd - k + 1;
  // Uncentred covariance of the patches, (c, r, q) order as W's filters; upper triangle, then mirrored.
  std::vector<double> cov(K * K, 0.0), patch(K);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j) {
        for (int64_t c = 0, e = 0; c < C; ++c)
          for (int64_t r = 0; r < k; ++r)
            for (int64_t q = 0; q < k; ++q) patch[e++] = px[((n * C + c) * H + i + r) * Wd + j + q];
        for (int64_t a = 0; a < K; ++a)
          for (int64_t b = a; b < K; ++b) cov[a * K + b] += patch[a] * patch[b];
      }
  const double count = static_cast<double>(N * Ho * Wo);
  for (int64_t a = 0; a < K; ++a)
    for (int64_t b = a; b < K; ++b) cov[b * K + a] = cov[a * K + b] /= count;
  const SymmetricEigen e = symmetric_eigen(cov, K);
  Tensor w = Tensor::zeros(W.shape(), DType::f64);
  double* pw = w.data<double>();
  for (int64_t f = 0; f < K; ++f) {
    const double s = 1.0 / std::sqrt(std::max(e.values[f], 0.0) + options_.whiten_eps);
    for (int64_t t = 0; t < K; ++t) {
      pw[f * K + t] = e.vectors[f * K + t] * s;
      pw[(f + K) * K + t] = -e.vectors[f * K + t] * s;
    }
  }
  for (int64_t i = 0; i < w.numel(); ++i)
    CONVLAB_CHECK(std::isfinite(pw[i]), label_ << ": the whitening filters are not finite (a patch covariance of "
                                               << "non-finite inputs?)");
  params_[0].value = w.to(W.dtype()).to(W.device());
}

void ConvLayer::to(Device device) {
  Layer::to(device);
  if (fixed_bias_.defined()) fixed_bias_ = fixed_bias_.to(device);
}

Tensor ConvLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x, params_[0].value, bias(), param_);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor ConvLayer::backward(const Tensor& dout) {
  Grads g = op_.impl.backward(dout, cache_, input_needs_grad_);
  return keep_grads(g);
}

}  // namespace convlab
