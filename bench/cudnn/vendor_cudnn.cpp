// cuDNN baselines of conv (forward, backward data + filter + bias, each with
// the fastest algorithm cudnnFind* reports), max_pool (deterministic max
// pooling, the first maximum gets the gradient as in convlab) and batchnorm /
// spatial batchnorm (training forward with saved statistics, backward).
// Convolutions run three ways, each beside the convlab variants of its
// precision: "cudnn" in CUDNN_FMA_MATH (plain float32, no TF32 tensor cores,
// the arithmetic of convlab's full-precision kernels); "cudnn_tf32", float32
// tensors in CUDNN_TENSOR_OP_MATH (TF32 tensor cores); "cudnn_bf16", bf16
// tensors with float32 compute (half the bytes that convlab's bf16 variant,
// which reads float32 tensors, moves). Every cuDNN call is checked.
#include <cudnn.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "bench/case_builder.h"
#include "bench/cuda/vendor.h"
#include "host/ops/max_pool/max_pool.h"
#include "kernels/runtime/cuda_check.h"
#include "kernels/runtime/cuda_device.h"

#define CUDNN_CHECK(call)                                                                          \
  do {                                                                                             \
    cudnnStatus_t convlab_st_ = (call);                                                            \
    if (convlab_st_ != CUDNN_STATUS_SUCCESS)                                                       \
      throw ::convlab::Error(std::string("cuDNN error in ") + #call + " (" + __FILE__ + ":" +      \
                             std::to_string(__LINE__) + "): " + cudnnGetErrorString(convlab_st_)); \
  } while (0)

namespace convlab::bench {

namespace {

const float kOne = 1.0f, kZero = 0.0f;

cudnnHandle_t handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t x = nullptr;
    CUDNN_CHECK(cudnnCreate(&x));
    return x;
  }();
  return h;
}

// RAII descriptors.
struct TensorDesc {
  cudnnTensorDescriptor_t d = nullptr;
  TensorDesc(int64_t n, int64_t c, int64_t h, int64_t w, cudnnDataType_t type = CUDNN_DATA_FLOAT) {
    CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, type, int(n), int(c), int(h), int(w)));
  }
  ~TensorDesc() { (void)cudnnDestroyTensorDescriptor(d); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};
struct FilterDesc {
  cudnnFilterDescriptor_t d = nullptr;
  FilterDesc(int64_t f, int64_t c, int64_t h, int64_t w, cudnnDataType_t type) {
    CUDNN_CHECK(cudnnCreateFilterDescriptor(&d));
    CUDNN_CHECK(cudnnSetFilter4dDescriptor(d, type, CUDNN_TENSOR_NCHW, int(f), int(c), int(h), int(w)));
  }
  ~FilterDesc() { (void)cudnnDestroyFilterDescriptor(d); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
};
struct ConvDesc {
  cudnnConvolutionDescriptor_t d = nullptr;
  ConvDesc(int pad, int stride, cudnnMathType_t math) {
    CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d));
    CUDNN_CHECK(
        cudnnSetConvolution2dDescriptor(d, pad, pad, stride, stride, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    CUDNN_CHECK(cudnnSetConvolutionMathType(d, math));
  }
  ~ConvDesc() { (void)cudnnDestroyConvolutionDescriptor(d); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
};
struct PoolDesc {
  cudnnPoolingDescriptor_t d = nullptr;
  PoolDesc(int ph, int pw, int stride) {
    CUDNN_CHECK(cudnnCreatePoolingDescriptor(&d));
    CUDNN_CHECK(cudnnSetPooling2dDescriptor(d, CUDNN_POOLING_MAX_DETERMINISTIC, CUDNN_NOT_PROPAGATE_NAN, ph, pw, 0, 0,
                                            stride, stride));
  }
  ~PoolDesc() { (void)cudnnDestroyPoolingDescriptor(d); }
  PoolDesc(const PoolDesc&) = delete;
  PoolDesc& operator=(const PoolDesc&) = delete;
};

// How a conv baseline computes: the math cuDNN may use and the tensors' type.
struct ConvMath {
  const char* name;  // the row's variant
  cudnnMathType_t math;
  cudnnDataType_t data;
};
constexpr ConvMath kConvMaths[] = {{"cudnn", CUDNN_FMA_MATH, CUDNN_DATA_FLOAT},
                                   {"cudnn_tf32", CUDNN_TENSOR_OP_MATH, CUDNN_DATA_FLOAT},
                                   {"cudnn_bf16", CUDNN_TENSOR_OP_MATH, CUDNN_DATA_BFLOAT16}};

// The fastest algorithm cudnnFind* returns (they come fastest first) that
// succeeded, in plain float32 FMA math when that is the baseline's math;
// reported on stderr.
template <class Perf>
const Perf& fastest(const Perf* perf, int returned, const char* what, const ConvMath& m) {
  for (int i = 0; i < returned; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || (m.math == CUDNN_FMA_MATH && perf[i].mathType != CUDNN_FMA_MATH))
      continue;
    std::cerr << " [" << m.name << " " << what << " algo " << static_cast<int>(perf[i].algo) << ", math "
              << static_cast<int>(perf[i].mathType) << ", " << perf[i].time << " ms in cudnnFind, workspace "
              << perf[i].memory << " B]";
    return perf[i];
  }
  throw Error(std::string("cuDNN baseline ") + m.name + ": no " + what + " algorithm succeeded");
}

// A tensor of n elements of `type` on the GPU: random float32 values, or for
// bf16 every element 0x3C3C (0.0114), a finite value (cuDNN's time does not
// depend on the values).
Tensor conv_buffer(int64_t n, cudnnDataType_t type, uint64_t seed, double scale = 1.0) {
  if (type == CUDNN_DATA_FLOAT) return random_tensor({n}, Device::cuda, seed, scale);
  Tensor t({(n + 1) / 2}, DType::f32, Device::cuda);
  cuda::memset_device(t.raw(), 0x3C, static_cast<std::size_t>(n) * 2);
  return t;
}

Tensor workspace(std::size_t bytes) {
  return Tensor({static_cast<int64_t>((bytes + 3) / 4)}, DType::f32, Device::cuda);
}

// ---------------------------------------------------------------- conv
Instance conv_cudnn(const std::map<std::string, int64_t>& dm, int sets, const ConvMath& m) {
  const int64_t N = dm.at("N"), C = dm.at("C"), H = dm.at("H"), W = dm.at("W"), F = dm.at("F"), HH = dm.at("HH"),
                WW = dm.at("WW");
  const int stride = static_cast<int>(dm.at("stride")), pad = static_cast<int>(dm.at("pad"));
  struct State {
    std::unique_ptr<TensorDesc> x, y, bias;
    std::unique_ptr<FilterDesc> w;
    std::unique_ptr<ConvDesc> conv;
    cudnnConvolutionFwdAlgo_t fwd_algo{};
    cudnnConvolutionBwdDataAlgo_t bwd_data_algo{};
    cudnnConvolutionBwdFilterAlgo_t bwd_filter_algo{};
    Tensor ws;
    std::size_t ws_bytes = 0;
    struct Set {
      Tensor x, w, b, y, dy, dx, dw, db;
    };
    std::vector<Set> sets;
  };
  auto st = std::make_shared<State>();
  st->conv = std::make_unique<ConvDesc>(pad, stride, m.math);
  st->x = std::make_unique<TensorDesc>(N, C, H, W, m.data);
  st->w = std::make_unique<FilterDesc>(F, C, HH, WW, m.data);
  int on = 0, oc = 0, oh = 0, ow = 0;
  CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(st->conv->d, st->x->d, st->w->d, &on, &oc, &oh, &ow));
  st->y = std::make_unique<TensorDesc>(on, oc, oh, ow, m.data);
  st->bias = std::make_unique<TensorDesc>(1, F, 1, 1, m.data);
  const int64_t nx = N * C * H * W, nw = F * C * HH * WW, ny = int64_t{on} * oc * oh * ow;
  for (int s = 0; s < sets; ++s) {
    const auto k = 16 * static_cast<uint64_t>(s);
    st->sets.push_back({conv_buffer(nx, m.data, k + 1), conv_buffer(nw, m.data, k + 2, 0.1),
                        conv_buffer(F, m.data, k + 3), conv_buffer(ny, m.data, k + 5), conv_buffer(ny, m.data, k + 4),
                        conv_buffer(nx, m.data, k + 6), conv_buffer(nw, m.data, k + 7), conv_buffer(F, m.data, k + 8)});
  }
  constexpr int kMax = 16;
  int returned = 0;
  cudnnConvolutionFwdAlgoPerf_t fp[kMax];
  CUDNN_CHECK(
      cudnnFindConvolutionForwardAlgorithm(handle(), st->x->d, st->w->d, st->conv->d, st->y->d, kMax, &returned, fp));
  const auto& f = fastest(fp, returned, "forward", m);
  cudnnConvolutionBwdDataAlgoPerf_t dp[kMax];
  CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithm(handle(), st->w->d, st->y->d, st->conv->d, st->x->d, kMax,
                                                        &returned, dp));
  const auto& d = fastest(dp, returned, "backward data", m);
  cudnnConvolutionBwdFilterAlgoPerf_t wp[kMax];
  CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithm(handle(), st->x->d, st->y->d, st->conv->d, st->w->d, kMax,
                                                          &returned, wp));
  const auto& w = fastest(wp, returned, "backward filter", m);
  st->fwd_algo = f.algo;
  st->bwd_data_algo = d.algo;
  st->bwd_filter_algo = w.algo;
  st->ws_bytes = std::max({f.memory, d.memory, w.memory, std::size_t(4)});
  st->ws = workspace(st->ws_bytes);

  Instance inst;
  inst.passes.push_back(PassSpec{
      "fwd", {}, [st](int i) {
        auto& s = st->sets[static_cast<std::size_t>(i)];
        CUDNN_CHECK(cudnnConvolutionForward(handle(), &kOne, st->x->d, s.x.raw(), st->w->d, s.w.raw(), st->conv->d,
                                            st->fwd_algo, st->ws.raw(), st->ws_bytes, &kZero, st->y->d, s.y.raw()));
        CUDNN_CHECK(cudnnAddTensor(handle(), &kOne, st->bias->d, s.b.raw(), &kOne, st->y->d, s.y.raw()));
      }});
  inst.passes.push_back(PassSpec{"bwd", {}, [st](int i) {
                                   auto& s = st->sets[static_cast<std::size_t>(i)];
                                   CUDNN_CHECK(cudnnConvolutionBackwardData(
                                       handle(), &kOne, st->w->d, s.w.raw(), st->y->d, s.dy.raw(), st->conv->d,
                                       st->bwd_data_algo, st->ws.raw(), st->ws_bytes, &kZero, st->x->d, s.dx.raw()));
                                   CUDNN_CHECK(cudnnConvolutionBackwardFilter(
                                       handle(), &kOne, st->x->d, s.x.raw(), st->y->d, s.dy.raw(), st->conv->d,
                                       st->bwd_filter_algo, st->ws.raw(), st->ws_bytes, &kZero, st->w->d, s.dw.raw()));
                                   CUDNN_CHECK(cudnnConvolutionBackwardBias(handle(), &kOne, st->y->d, s.dy.raw(),
                                                                            &kZero, st->bias->d, s.db.raw()));
                                 }});
  return inst;
}

// ---------------------------------------------------------------- max_pool
Instance pool_cudnn(const std::map<std::string, int64_t>& dm, int sets) {
  const int64_t N = dm.at("N"), C = dm.at("C"), H = dm.at("H"), W = dm.at("W");
  const int ph = static_cast<int>(dm.at("pool_height")), pw = static_cast<int>(dm.at("pool_width")),
            stride = static_cast<int>(dm.at("stride"));
  const PoolDims pd = pool_dims(Shape{N, C, H, W}, PoolParam{ph, pw, stride});
  const int64_t Ho = pd.Hout, Wo = pd.Wout;
  struct State {
    std::unique_ptr<PoolDesc> pool;
    std::unique_ptr<TensorDesc> x, y;
    struct Set {
      Tensor x, y, dy, dx;
    };
    std::vector<Set> sets;
  };
  auto st = std::make_shared<State>();
  st->pool = std::make_unique<PoolDesc>(ph, pw, stride);
  st->x = std::make_unique<TensorDesc>(N, C, H, W);
  st->y = std::make_unique<TensorDesc>(N, C, Ho, Wo);
  const Device dev = Device::cuda;
  for (int s = 0; s < sets; ++s) {
    const auto k = 16 * static_cast<uint64_t>(s);
    st->sets.push_back({random_tensor({N, C, H, W}, dev, k + 1), Tensor({N, C, Ho, Wo}, DType::f32, dev),
                        random_tensor({N, C, Ho, Wo}, dev, k + 2), Tensor({N, C, H, W}, DType::f32, dev)});
  }
  // Backward reads the forward's output: compute it once per set, untimed.
  for (auto& s : st->sets)
    CUDNN_CHECK(cudnnPoolingForward(handle(), st->pool->d, &kOne, st->x->d, s.x.raw(), &kZero, st->y->d, s.y.raw()));
  Instance inst;
  inst.passes.push_back(PassSpec{"fwd", {}, [st](int i) {
                                   auto& s = st->sets[static_cast<std::size_t>(i)];
                                   CUDNN_CHECK(cudnnPoolingForward(handle(), st->pool->d, &kOne, st->x->d, s.x.raw(),
                                                                   &kZero, st->y->d, s.y.raw()));
                                 }});
  inst.passes.push_back(PassSpec{"bwd", {}, [st](int i) {
                                   auto& s = st->sets[static_cast<std::size_t>(i)];
                                   CUDNN_CHECK(cudnnPoolingBackward(handle(), st->pool->d, &kOne, st->y->d, s.y.raw(),
                                                                    st->y->d, s.dy.raw(), st->x->d, s.x.raw(), &kZero,
                                                                    st->x->d, s.dx.raw()));
                                 }});
  return inst;
}

// ---------------------------------------------------------------- batchnorm
// (N, D) as N x D x 1 x 1 per activation, or (N, C, H, W) spatial.
Instance batchnorm_cudnn(int64_t N, int64_t C, int64_t H, int64_t W, cudnnBatchNormMode_t mode, int sets) {
  const double eps = 1e-5, factor = 0.1;  // convlab's eps; 1 - momentum 0.9
  struct State {
    std::unique_ptr<TensorDesc> x, p;
    cudnnBatchNormMode_t mode{};
    struct Set {
      Tensor x, y, dy, dx, gamma, beta, run_mean, run_var, save_mean, save_inv, dgamma, dbeta;
    };
    std::vector<Set> sets;
  };
  auto st = std::make_shared<State>();
  st->mode = mode;
  st->x = std::make_unique<TensorDesc>(N, C, H, W);
  st->p = std::make_unique<TensorDesc>(1, C, 1, 1);
  const Device dev = Device::cuda;
  for (int s = 0; s < sets; ++s) {
    const auto k = 16 * static_cast<uint64_t>(s);
    auto vec = [&] { return Tensor({C}, DType::f32, dev); };
    st->sets.push_back({random_tensor({N, C, H, W}, dev, k + 1, 2.0), Tensor({N, C, H, W}, DType::f32, dev),
                        random_tensor({N, C, H, W}, dev, k + 2), Tensor({N, C, H, W}, DType::f32, dev),
                        random_tensor({C}, dev, k + 3), random_tensor({C}, dev, k + 4),
                        Tensor::zeros({C}, DType::f32, dev), Tensor::zeros({C}, DType::f32, dev), vec(), vec(), vec(),
                        vec()});
  }
  auto forward = [st, eps, factor](int i) {
    auto& s = st->sets[static_cast<std::size_t>(i)];
    CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(
        handle(), st->mode, &kOne, &kZero, st->x->d, s.x.raw(), st->x->d, s.y.raw(), st->p->d, s.gamma.raw(),
        s.beta.raw(), factor, s.run_mean.raw(), s.run_var.raw(), eps, s.save_mean.raw(), s.save_inv.raw()));
  };
  // Backward reads the forward's saved statistics: one untimed forward per set.
  for (int i = 0; i < sets; ++i) forward(i);
  Instance inst;
  inst.passes.push_back(PassSpec{"fwd", {}, forward});
  inst.passes.push_back(PassSpec{"bwd", {}, [st, eps](int i) {
                                   auto& s = st->sets[static_cast<std::size_t>(i)];
                                   CUDNN_CHECK(cudnnBatchNormalizationBackward(
                                       handle(), st->mode, &kOne, &kZero, &kOne, &kZero, st->x->d, s.x.raw(), st->x->d,
                                       s.dy.raw(), st->x->d, s.dx.raw(), st->p->d, s.gamma.raw(), s.dgamma.raw(),
                                       s.dbeta.raw(), eps, s.save_mean.raw(), s.save_inv.raw()));
                                 }});
  return inst;
}

}  // namespace

void attach_cudnn_baselines(std::vector<Case>& cases) {
  for (auto& c : cases) {
    const auto dm = c.dims;
    if (c.op == "conv") {
      for (const ConvMath& m : kConvMaths)
        c.vendors.push_back({m.name, [dm, m](int sets) { return conv_cudnn(dm, sets, m); }});
    } else if (c.op == "max_pool") {
      c.vendors.push_back({"cudnn", [dm](int sets) { return pool_cudnn(dm, sets); }});
    } else if (c.op == "batchnorm" || c.op == "spatial_batchnorm") {
      const bool spatial = c.op == "spatial_batchnorm";
      const int64_t N = dm.at("N"), C = spatial ? dm.at("C") : dm.at("D");
      const int64_t H = spatial ? dm.at("H") : 1, W = spatial ? dm.at("W") : 1;
      const auto mode = spatial ? CUDNN_BATCHNORM_SPATIAL : CUDNN_BATCHNORM_PER_ACTIVATION;
      c.vendors.push_back({"cudnn", [=](int sets) { return batchnorm_cudnn(N, C, H, W, mode, sets); }});
    }
  }
}

}  // namespace convlab::bench
