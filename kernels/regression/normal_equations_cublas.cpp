// Normal equations G = A^T A, r = A^T y on the GPU with cuBLAS in double.
//
// Decomposition: the row-major (n, m) design matrix A is, read column-major,
// B = A^T (m x n, leading dimension m), so G = B B^T is one dsyrk (rank-n
// update of the m x m lower triangle, coalesced reads along each row of A)
// and r = B y one dgemv. A, y, G and r are uploaded / downloaded once.
#include <cstddef>

#include "host/regression/normal_equations.h"
#include "kernels/runtime/cuda_check.h"

namespace convlab {
namespace {

struct DeviceBuffer {
  explicit DeviceBuffer(std::size_t count) { CUDA_CHECK(cudaMalloc(&ptr, count * sizeof(double))); }
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  double* ptr = nullptr;
};

struct CublasHandle {
  CublasHandle() { CUBLAS_CHECK(cublasCreate(&h)); }
  ~CublasHandle() { cublasDestroy(h); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t h = nullptr;
};

}  // namespace

void normal_equations_cublas(const double* A, const double* y, int64_t n, int64_t m, double* G, double* r) {
  CONVLAB_CHECK(n > 0 && m > 0 && n <= (1LL << 31) - 1 && m <= (1LL << 31) - 1,
                "normal_equations_cublas: sizes out of range, n = " << n << ", m = " << m);
  const auto nn = static_cast<std::size_t>(n), mm = static_cast<std::size_t>(m);
  DeviceBuffer dA(nn * mm), dy(nn), dG(mm * mm), dr(mm);
  CUDA_CHECK(cudaMemcpy(dA.ptr, A, nn * mm * sizeof(double), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(dy.ptr, y, nn * sizeof(double), cudaMemcpyHostToDevice));
  CublasHandle handle;
  const double one = 1.0, zero = 0.0;
  const int im = static_cast<int>(m), in = static_cast<int>(n);
  CUBLAS_CHECK(cublasDsyrk(handle.h, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, im, in, &one, dA.ptr, im, &zero, dG.ptr, im));
  CUBLAS_CHECK(cublasDgemv(handle.h, CUBLAS_OP_N, im, in, &one, dA.ptr, im, dy.ptr, 1, &zero, dr.ptr, 1));
  CUDA_CHECK(cudaMemcpy(G, dG.ptr, mm * mm * sizeof(double), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(r, dr.ptr, mm * sizeof(double), cudaMemcpyDeviceToHost));
  // Column-major lower triangle = row-major upper triangle: mirror it down.
  for (int64_t p = 0; p < m; ++p)
    for (int64_t q = 0; q < p; ++q) G[p * m + q] = G[q * m + p];
}

}  // namespace convlab
