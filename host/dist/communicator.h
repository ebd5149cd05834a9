// Communicator: the collectives that data-parallel training needs (docs/distributed.md),
// over one of the engines the field runs:
//
//   backend  file                               when
//   single   host/dist/communicator.cpp         one process (the default; no MPI needed)
//   mpi      host/dist/mpi_communicator.cpp     launched by mpirun / srun, built with MPI
//   nccl     host/dist/nccl_communicator.cpp    GPU training on several ranks, built with NCCL
//
// The process's communicator is world(): init_world() in main() picks MPI when
// the process was started by an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
// PMIX_RANK or PMI_RANK in the environment) and a single process otherwise,
// and gives each rank on a machine its own GPU (local rank modulo the GPUs).
// GPU training on several ranks then runs its collectives on NCCL when the
// build has it (make_gpu_communicator); buffers on the GPU go through host
// memory with the MPI backend.
//
// Every rank must make the same collective calls in the same order; a rank
// that fails ends the job (abort()), so no peer waits forever.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "host/error.h"
#include "host/tensor.h"

namespace convlab::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks on this machine (the processes that share its cores), and this
  // rank's place among them (0 .. local_size() - 1).
  virtual int local_size() const = 0;
  virtual int local_rank() const = 0;
  virtual const char* backend() const = 0;
  // In place: data[i] = the sum over the ranks of their data[i]. n elements of
  // dtype f32, f64 or i32, in host memory. Every rank gets the same bits.
  virtual void all_reduce_sum(void* data, int64_t n, DType dtype) = 0;
  // In place: every rank's nbytes at data become root's.
  virtual void broadcast(void* data, std::size_t nbytes, int root) = 0;
  // The same two on GPU memory, where the backend reduces there itself (NCCL):
  // true when done; false (the default) and the caller stages the buffer
  // through host memory.
  virtual bool all_reduce_sum_gpu(void* /*data*/, int64_t /*n*/, DType /*dtype*/) { return false; }
  virtual bool broadcast_gpu(void* /*data*/, std::size_t /*nbytes*/, int /*root*/) { return false; }
  virtual void barrier() = 0;
  // Ends every rank of the job with `code` (a failed rank must not leave its
  // peers waiting in a collective).
  [[noreturn]] virtual void abort(int code) = 0;
};

// The process's communicator (a single process until init_world() found a launcher).
Communicator& world();
// Called once by main(): MPI when launched by mpirun or srun (an error when this
// build has no MPI and the launcher started more than one rank).
void init_world(int& argc, char**& argv);
// Called before main() returns normally (MPI_Finalize).
void finalize_world();
// The communicator for training on `device` over world()'s ranks: NCCL for
// GPU tensors when the build has it and there are several ranks (its unique
// id travels through world()), else world() itself. Made once, on first use,
// by every rank together; owned by this module until finalize_world().
Communicator& training_communicator(Device device);
bool distributed();  // world().size() > 1
// "rank 1 of 4" (for messages).
std::string rank_name(const Communicator& comm = world());

// Tensor collectives (any device; GPU tensors go straight to the backend when
// it reduces on the GPU, else through host memory).
void all_reduce_sum(Communicator& comm, Tensor& t);
void broadcast(Communicator& comm, Tensor& t, int root = 0);
// Root's string on every rank.
std::string broadcast_string(Communicator& comm, const std::string& s, int root = 0);
// Root's named tensors on every rank (names, dtypes and shapes travel too; CPU tensors).
std::map<std::string, Tensor> broadcast_tensors(Communicator& comm, const std::map<std::string, Tensor>& tensors,
                                                int root = 0);

// An error that every rank learned of together (thrown by collective_check):
// main() prints its message when not empty and every rank exits with status 2,
// without aborting the job.
class SharedError : public Error {
 public:
  explicit SharedError(const std::string& what) : Error(what) {}
};

// Runs f on every rank, then lets the ranks agree: when f threw convlab::Error
// on any rank, every rank throws SharedError, with root's message on root
// (or, when root succeeded, each failed rank's message, prefixed with its rank,
// on that rank) and an empty message elsewhere. So a bad config, which every
// rank finds at once, is reported once, and no rank is left waiting.
void collective_check(Communicator& comm, const std::function<void()>& f, int root = 0);

// Only for the tests: makes `comm` the process's communicator (nullptr: back to a single process).
void set_world_for_testing(Communicator* comm);

}  // namespace convlab::dist
