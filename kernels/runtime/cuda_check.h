// CUDA_CHECK / CUBLAS_CHECK: every CUDA and cuBLAS call goes through one of
// these, so a failure throws convlab::Error naming the call, file and line.
// Kernel launches go through launch() / launch_n() (launch.cuh), whose
// errors name the kernel.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "host/error.h"

#define CUDA_CHECK(call)                                                                           \
  do {                                                                                             \
    cudaError_t convlab_err_ = (call);                                                             \
    if (convlab_err_ != cudaSuccess)                                                               \
      throw ::convlab::Error(std::string("CUDA error in ") + #call + " (" + __FILE__ + ":" +       \
                             std::to_string(__LINE__) + "): " + cudaGetErrorString(convlab_err_)); \
  } while (0)

#define CUBLAS_CHECK(call)                                                                           \
  do {                                                                                               \
    cublasStatus_t convlab_st_ = (call);                                                             \
    if (convlab_st_ != CUBLAS_STATUS_SUCCESS)                                                        \
      throw ::convlab::Error(std::string("cuBLAS error in ") + #call + " (" + __FILE__ + ":" +       \
                             std::to_string(__LINE__) + "): " + cublasGetStatusString(convlab_st_)); \
  } while (0)
