// The few CUDA runtime services the host side needs, behind plain C++
// functions so that host code compiles without CUDA headers. Implemented in
// kernels/runtime/ when convlab is built with CUDA, else by kernels/runtime/no_cuda.cpp.
#pragma once
#include <cstddef>
#include <string>

namespace convlab::cuda {

// True when built with CUDA and a usable device is present. Any error from
// the driver (e.g. "driver insufficient" on machines without a GPU) reads as
// "no GPU"; no_gpu_reason() then says why.
bool available();
std::string no_gpu_reason();
std::string device_name();  // "" when none
// Makes GPU (local_rank modulo the GPUs) this process's device, so that the
// data-parallel ranks on one machine each train on their own GPU (NCCL runs
// one rank per GPU); returns its index. Called before any other CUDA work.
int use_device_for_rank(int local_rank);

void* malloc_device(std::size_t nbytes);
void free_device(void* p) noexcept;
void memcpy_h2d(void* dst, const void* src, std::size_t nbytes);
void memcpy_d2h(void* dst, const void* src, std::size_t nbytes);
void memcpy_d2d(void* dst, const void* src, std::size_t nbytes);
void memset_device(void* dst, int byte, std::size_t nbytes);
void synchronize();

}  // namespace convlab::cuda
