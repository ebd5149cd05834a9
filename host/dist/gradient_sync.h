// GradientSync: the data-parallel step's one all-reduce (docs/distributed.md).
// Each rank packs the gradients it computed on its shard of the global batch,
// and its loss, into one flat buffer on their device; one all_reduce_sum adds
// the ranks' buffers; the average (sum / ranks) goes back into the gradients
// and the loss. Every rank gets the same bits, so every rank's update is the same.
#pragma once
#include <cstdint>
#include <vector>

#include "host/dist/communicator.h"
#include "host/tensor.h"

namespace convlab::dist {

class GradientSync {
 public:
  explicit GradientSync(Communicator& comm) : comm_(comm) {}
  // grads: float tensors of one dtype on one device, in the same order on
  // every rank; loss: a scalar. Both are overwritten with the ranks' mean.
  void average(const std::vector<Tensor>& grads, Tensor& loss);
  double seconds() const { return seconds_; }  // in the all-reduce, waiting for peers included
  int64_t bytes() const { return bytes_; }     // of the last step's buffer

 private:
  Communicator& comm_;
  Tensor flat_;  // reused while the size, dtype and device stay
  double seconds_ = 0.0;
  int64_t bytes_ = 0;
};

}  // namespace convlab::dist
