// Naive CUDA update rules: one launch per parameter tensor.
#include "host/ops/optim/optim_check.h"
#include "kernels/optim/update_rule.cuh"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

namespace {

constexpr int kBlock = 256;

// Grid-stride over the n elements of one parameter: thread i updates w[i]
// and its state, consecutive threads on consecutive elements (coalesced).
template <UpdateRule R, class T>
__global__ void update_kernel(UpdateCoeffs k, SlotCoeffs s, int64_t n, T* w, const T* dw, T* s1, T* s2) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) update_element<R>(k, s, i, w, dw, s1, s2);
}

template <class T>
void step_typed(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  const UpdateCoeffs k = make_coeffs(config, t);
  dispatch_rule(config.rule, [&](auto rule) {
    for (ParamSlot& p : params) {
      const int64_t n = p.w.numel();
      launch_n<kBlock>("update_kernel", n, update_kernel<decltype(rule)::value, T>, k, slot_coeffs(config, p), n,
                       p.w.data<T>(), p.dw.data<T>(), state_ptr<T>(p, config.rule, 1), state_ptr<T>(p, config.rule, 2));
    }
  });
}

}  // namespace

void optim_step_naive(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  if (!prepare_optim_step_on(Device::cuda, "optim_step", params, config, t)) return;
  dispatch_floating(params.front().w.dtype(), "optim_step",
                    [&](auto zero) { step_typed<decltype(zero)>(params, config, t); });
}

}  // namespace convlab::cuda
