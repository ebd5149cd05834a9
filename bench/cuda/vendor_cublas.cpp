// cuBLAS baseline of affine: the GEMMs alone (bias and db left out), in plain
// float32. Row-major matrices are column-major transposes, so
//   out (N,M) = x (N,D) w (D,M)      ->  out^T = w^T x^T
//   dx  (N,D) = dout (N,M) w^T       ->  dx^T  = w dout^T
//   dw  (D,M) = x^T dout             ->  dw^T  = dout^T x
#include "bench/case_builder.h"
#include "bench/cuda/vendor.h"
#include "kernels/runtime/cuda_check.h"

namespace convlab::bench {

namespace {

cublasHandle_t vendor_cublas() {
  static cublasHandle_t h = [] {
    cublasHandle_t handle = nullptr;
    CUBLAS_CHECK(cublasCreate(&handle));
    CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
    return handle;
  }();
  return h;
}

Instance affine_cublas(int64_t N, int64_t D, int64_t M, int sets) {
  struct Set {
    Tensor x, w, dout, out, dx, dw;
  };
  auto st = std::make_shared<std::vector<Set>>();
  const Device dev = Device::cuda;
  for (int s = 0; s < sets; ++s) {
    const auto k = 16 * static_cast<uint64_t>(s);
    st->push_back({random_tensor({N, D}, dev, k + 1), random_tensor({D, M}, dev, k + 2, 0.1),
                   random_tensor({N, M}, dev, k + 3), Tensor({N, M}, DType::f32, dev), Tensor({N, D}, DType::f32, dev),
                   Tensor({D, M}, DType::f32, dev)});
  }
  const int n = static_cast<int>(N), d = static_cast<int>(D), m = static_cast<int>(M);
  Instance inst;
  inst.passes.push_back(PassSpec{"fwd", {}, [st, n, d, m](int i) {
                                   static const float one = 1.0f, zero = 0.0f;
                                   auto& s = (*st)[static_cast<std::size_t>(i)];
                                   CUBLAS_CHECK(cublasSgemm(vendor_cublas(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, d, &one,
                                                            s.w.data<float>(), m, s.x.data<float>(), d, &zero,
                                                            s.out.data<float>(), m));
                                 }});
  inst.passes.push_back(
      PassSpec{"bwd", {}, [st, n, d, m](int i) {
                 static const float one = 1.0f, zero = 0.0f;
                 auto& s = (*st)[static_cast<std::size_t>(i)];
                 CUBLAS_CHECK(cublasSgemm(vendor_cublas(), CUBLAS_OP_T, CUBLAS_OP_N, d, n, m, &one, s.w.data<float>(),
                                          m, s.dout.data<float>(), m, &zero, s.dx.data<float>(), d));
                 CUBLAS_CHECK(cublasSgemm(vendor_cublas(), CUBLAS_OP_N, CUBLAS_OP_T, m, d, n, &one,
                                          s.dout.data<float>(), m, s.x.data<float>(), d, &zero, s.dw.data<float>(), m));
               }});
  return inst;
}

}  // namespace

void attach_cublas_baselines(std::vector<Case>& cases) {
  for (auto& c : cases) {
    if (c.op != "affine") continue;
    const int64_t N = c.dims.at("N"), D = c.dims.at("D"), M = c.dims.at("M");
    c.vendors.push_back({"cublas", [=](int sets) { return affine_cublas(N, D, M, sets); }});
  }
}

}  // namespace convlab::bench
