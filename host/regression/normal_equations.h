// Normal equations of a linear least-squares problem with design matrix
// A = [1 X] (intercept) or A = X: G = A^T A (m x m, row-major) and r = A^T y.
// Computed in double on the CPU, or with cuBLAS (dsyrk + dgemv) when
// device is cuda and a GPU is present; the m x m solve stays on the host.
#pragma once
#include <cstdint>
#include <vector>

#include "host/tensor.h"

namespace convlab {

struct NormalEquations {
  int64_t m = 0;  // columns of A
  std::vector<double> G, r;
};

// X: (n, d) float32/float64 CPU tensor; y: n targets. device cuda without a
// usable GPU (or a build without CUDA) falls back to the CPU.
NormalEquations normal_equations(const Tensor& X, const std::vector<double>& y, bool fit_intercept,
                                 Device device = Device::cpu);

// True when normal_equations(..., Device::cuda) will run on a GPU.
bool normal_equations_on_gpu_available();

#ifdef CONVLAB_HAVE_CUDA
// kernels/regression/normal_equations_cublas.cpp. A: row-major (n, m) host
// matrix; fills G (m x m, both triangles) and r (m).
void normal_equations_cublas(const double* A, const double* y, int64_t n, int64_t m, double* G, double* r);
#endif

}  // namespace convlab
