// The NCCL backend of Communicator (host/dist/communicator.h), for GPU
// training on several ranks: NCCL's all-reduce and broadcast on GPU buffers
// (ncclAllReduce, ncclBroadcast on a stream of the rank's GPU), and the host
// communicator's collectives for host memory, the barrier and the abort.
// The ranks of `host` are NCCL's ranks: rank 0's ncclUniqueId travels through
// host.broadcast. One rank per GPU (NCCL refuses two ranks on one device):
// init_world() gives each rank on a machine its own (cuda::use_device_for_rank).
// Compiled in every build; without NCCL (CONVLAB_HAVE_NCCL unset)
// nccl_available() is false and make_nccl_communicator() throws.
#pragma once
#include <memory>

#include "host/dist/communicator.h"

namespace convlab::dist {

bool nccl_available();
// Every rank of `host` calls it together; `host` must outlive the result.
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& host);

}  // namespace convlab::dist
