#include "host/regression/normal_equations.h"

#include "kernels/runtime/cuda_device.h"

namespace convlab {
namespace {

// Row-major design matrix A = [1 X] (or X) in double.
std::vector<double> design_matrix(const Tensor& X, bool fit_intercept, int64_t m) {
  const int64_t n = X.dim(0), d = X.dim(1), off = fit_intercept ? 1 : 0;
  const Tensor X64 = X.to(DType::f64);
  const double* x = X64.data<double>();
  std::vector<double> A(static_cast<std::size_t>(n * m));
  for (int64_t i = 0; i < n; ++i) {
    if (fit_intercept) A[i * m] = 1.0;
    for (int64_t j = 0; j < d; ++j) A[i * m + off + j] = x[i * d + j];
  }
  return A;
}

// CPU reference: one pass over the rows, upper triangle, then mirrored.
void normal_equations_cpu(const std::vector<double>& A, const std::vector<double>& y, int64_t n, NormalEquations& ne) {
  const int64_t m = ne.m;
  for (int64_t i = 0; i < n; ++i) {
    const double* a = A.data() + i * m;
    for (int64_t p = 0; p < m; ++p) {
      ne.r[p] += a[p] * y[i];
      for (int64_t q = p; q < m; ++q) ne.G[p * m + q] += a[p] * a[q];
    }
  }
  for (int64_t p = 0; p < m; ++p)
    for (int64_t q = 0; q < p; ++q) ne.G[p * m + q] = ne.G[q * m + p];
}

}  // namespace

bool normal_equations_on_gpu_available() {
#ifdef CONVLAB_HAVE_CUDA
  return cuda::available();
#else
  return false;
#endif
}

NormalEquations normal_equations(const Tensor& X, const std::vector<double>& y, bool fit_intercept, Device device) {
  CONVLAB_CHECK(X.ndim() == 2 && X.device() == Device::cpu,
                "normal_equations: expected a CPU X of shape (n, d), got " << shape_str(X.shape()));
  CONVLAB_CHECK(static_cast<int64_t>(y.size()) == X.dim(0),
                "normal_equations: " << y.size() << " targets for " << X.dim(0) << " rows");
  NormalEquations ne;
  const int64_t n = X.dim(0);
  ne.m = X.dim(1) + (fit_intercept ? 1 : 0);
  ne.G.assign(static_cast<std::size_t>(ne.m * ne.m), 0.0);
  ne.r.assign(static_cast<std::size_t>(ne.m), 0.0);
  const std::vector<double> A = design_matrix(X, fit_intercept, ne.m);
#ifdef CONVLAB_HAVE_CUDA
  if (device == Device::cuda && cuda::available()) {
    normal_equations_cublas(A.data(), y.data(), n, ne.m, ne.G.data(), ne.r.data());
    return ne;
  }
#else
  (void)device;
#endif
  normal_equations_cpu(A, y, n, ne);
  return ne;
}

}  // namespace convlab
