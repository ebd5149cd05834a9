// Multi-tensor CUDA update rules: every parameter of a step in one launch.
#include <cstring>
#include <mutex>

#include "host/ops/optim/optim_check.h"
#include "kernels/optim/update_rule.cuh"
#include "kernels/runtime/cuda_check.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

namespace {

constexpr int kBlock = 256;

// One parameter in the flattened index space [begin, begin + n), with the
// multipliers of its learning rate and weight decay (ParamSlot). The step's
// lr and weight decay travel in UpdateCoeffs, so the descriptors stay the
// same from step to step while the learning rate changes.
template <class T>
struct TensorDesc {
  T* w;
  const T* dw;
  T* s1;
  T* s2;
  int64_t begin, n;
  double lr_mult, wd_mult;
};

// The learning rate and weight decay of the descriptor's parameter.
template <class T>
__device__ __forceinline__ SlotCoeffs desc_coeffs(const UpdateCoeffs& k, const TensorDesc<T>& d) {
  return make_slot_coeffs(k.lr, k.wd, k.decoupled != 0, d.lr_mult, d.wd_mult);
}

// Grid-stride over the concatenation of all parameters (total elements):
// consecutive threads take consecutive flat indices, so accesses are
// coalesced within each tensor. A thread's indices only grow, so it finds
// its first tensor by binary search over the descriptors (ordered by begin)
// and then only steps forward; descriptors are re-read from memory (L1) only
// when it crosses into the next tensor.
template <UpdateRule R, class T>
__global__ void multi_tensor_kernel(UpdateCoeffs k, const TensorDesc<T>* descs, int count, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  int lo = 0, hi = count - 1;  // last descriptor with begin <= i
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (descs[mid].begin <= i)
      lo = mid;
    else
      hi = mid - 1;
  }
  int t = lo;
  TensorDesc<T> d = descs[t];
  SlotCoeffs s = desc_coeffs(k, d);
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (; i < total; i += stride) {
    if (i >= d.begin + d.n) {
      while (i >= d.begin + d.n) d = descs[++t];
      s = desc_coeffs(k, d);
    }
    update_element<R>(k, s, i - d.begin, d.w, d.dw, d.s1, d.s2);
  }
}

// The descriptor array lives in device memory. Parameters keep their
// storage from step to step, so the array of the previous step is kept and
// re-uploaded only when the descriptors change.
class DescriptorCache {
 public:
  const void* upload(const void* host, std::size_t nbytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (nbytes != last_.size() || std::memcmp(host, last_.data(), nbytes) != 0 || !device_.defined()) {
      if (!device_.defined() || device_.nbytes() < nbytes)
        device_ = Tensor({static_cast<int64_t>(nbytes)}, DType::u8, Device::cuda);
      CUDA_CHECK(cudaMemcpy(device_.raw(), host, nbytes, cudaMemcpyHostToDevice));
      last_.assign(static_cast<const unsigned char*>(host), static_cast<const unsigned char*>(host) + nbytes);
    }
    return device_.raw();
  }

 private:
  std::mutex mutex_;
  std::vector<unsigned char> last_;
  Tensor device_;
};

template <class T>
void step_typed(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  std::vector<TensorDesc<T>> descs;
  descs.reserve(params.size());
  int64_t total = 0;
  for (ParamSlot& p : params) {
    const int64_t n = p.w.numel();
    if (n == 0) continue;
    descs.push_back({p.w.data<T>(), p.dw.data<T>(), state_ptr<T>(p, config.rule, 1), state_ptr<T>(p, config.rule, 2),
                     total, n, p.lr_mult, p.wd_mult});
    total += n;
  }
  if (total == 0) return;
  static DescriptorCache cache;  // one per element type
  const auto* d_descs =
      static_cast<const TensorDesc<T>*>(cache.upload(descs.data(), descs.size() * sizeof(TensorDesc<T>)));
  const UpdateCoeffs k = make_coeffs(config, t);
  dispatch_rule(config.rule, [&](auto rule) {
    launch_n<kBlock>("multi_tensor_kernel", total, multi_tensor_kernel<decltype(rule)::value, T>, k, d_descs,
                     static_cast<int>(descs.size()), total);
  });
}

}  // namespace

void optim_step_multi_tensor(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  if (!prepare_optim_step_on(Device::cuda, "optim_step", params, config, t)) return;
  dispatch_floating(params.front().w.dtype(), "optim_step",
                    [&](auto zero) { step_typed<decltype(zero)>(params, config, t); });
}

}  // namespace convlab::cuda
