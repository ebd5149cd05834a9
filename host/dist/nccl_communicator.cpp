#include "host/dist/nccl_communicator.h"

#ifdef CONVLAB_HAVE_NCCL
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdlib>
#endif

namespace convlab::dist {

#ifdef CONVLAB_HAVE_NCCL

namespace {

void check_nccl(ncclResult_t rc, const char* call) {
  if (rc == ncclSuccess) return;
  throw Error(std::string(call) + " failed: " + ncclGetErrorString(rc));
}
void check_cuda(cudaError_t rc, const char* call) {
  if (rc == cudaSuccess) return;
  throw Error(std::string(call) + " failed: " + cudaGetErrorString(rc));
}

ncclDataType_t nccl_type(DType dt) {
  switch (dt) {
    case DType::f32:
      return ncclFloat32;
    case DType::f64:
      return ncclFloat64;
    case DType::i32:
      return ncclInt32;
    default:
      throw Error("all_reduce_sum: expected a float32, float64 or int32 buffer");
  }
}

class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(Communicator& host) : host_(host) {
    ncclUniqueId id{};
    if (host.rank() == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    host.broadcast(&id, sizeof id, 0);
    // A blocking stream: it waits for the kernels already queued on the
    // legacy default stream (the gradients), and they for it.
    check_cuda(cudaStreamCreate(&stream_), "cudaStreamCreate");
    const ncclResult_t rc = ncclCommInitRank(&comm_, host.size(), id, host.rank());
    if (rc != ncclSuccess) {
      cudaStreamDestroy(stream_);
      check_nccl(rc, "ncclCommInitRank");
    }
  }
  ~NcclCommunicator() override {
    ncclCommDestroy(comm_);
    cudaStreamDestroy(stream_);
  }

  int rank() const override { return host_.rank(); }
  int size() const override { return host_.size(); }
  int local_size() const override { return host_.local_size(); }
  int local_rank() const override { return host_.local_rank(); }
  const char* backend() const override { return "nccl"; }

  void all_reduce_sum(void* data, int64_t n, DType dtype) override { host_.all_reduce_sum(data, n, dtype); }
  void broadcast(void* data, std::size_t nbytes, int root) override { host_.broadcast(data, nbytes, root); }
  // Waits for the result, so that the step's all-reduce time is measured
  // (the next kernels would wait for it anyway).
  bool all_reduce_sum_gpu(void* data, int64_t n, DType dtype) override {
    check_nccl(ncclAllReduce(data, data, static_cast<std::size_t>(n), nccl_type(dtype), ncclSum, comm_, stream_),
               "ncclAllReduce");
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
    return true;
  }
  bool broadcast_gpu(void* data, std::size_t nbytes, int root) override {
    check_nccl(ncclBroadcast(data, data, nbytes, ncclUint8, root, comm_, stream_), "ncclBroadcast");
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
    return true;
  }
  void barrier() override { host_.barrier(); }
  [[noreturn]] void abort(int code) override {
    ncclCommAbort(comm_);
    host_.abort(code);
    std::_Exit(code);  // not reached: the host communicator ends the job
  }

 private:
  Communicator& host_;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

}  // namespace

bool nccl_available() { return true; }
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& host) {
  return std::make_unique<NcclCommunicator>(host);
}

#else

bool nccl_available() { return false; }
std::unique_ptr<Communicator> make_nccl_communicator(Communicator&) {
  throw Error("this convlab was built without NCCL (configure with CUDA and NCCL present, -DCONVLAB_NCCL=ON)");
}

#endif

}  // namespace convlab::dist
