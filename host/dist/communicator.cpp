#include "host/dist/communicator.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/dist/mpi_communicator.h"
#include "host/dist/nccl_communicator.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab::dist {

namespace {

// One process: every collective is the identity.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_size() const override { return 1; }
  int local_rank() const override { return 0; }
  const char* backend() const override { return "single"; }
  void all_reduce_sum(void*, int64_t, DType) override {}
  void broadcast(void*, std::size_t, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(int code) override { std::exit(code); }
};

SingleProcess& single() {
  static SingleProcess s;
  return s;
}
std::unique_ptr<Communicator>& owned_world() {
  static std::unique_ptr<Communicator> w;
  return w;
}
// The NCCL communicator of training_communicator(), over owned_world()'s ranks.
std::unique_ptr<Communicator>& owned_gpu() {
  static std::unique_ptr<Communicator> g;
  return g;
}
Communicator*& current() {
  static Communicator* c = nullptr;
  return c;
}

// Environment variables that MPI launchers set in every process they start.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}
int launcher_world_size() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* s = std::getenv(v)) return std::atoi(s);
  return 0;  // unknown
}

}  // namespace

Communicator& world() { return current() ? *current() : single(); }

void init_world(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  if (!mpi_available()) {
    CONVLAB_CHECK(launcher_world_size() <= 1,
                  "this convlab was built without MPI, but an MPI launcher started "
                      << launcher_world_size()
                      << " processes: rebuild with MPI (install libopenmpi-dev, cmake -DCONVLAB_MPI=ON) or run one "
                         "process");
    return;
  }
  owned_world() = make_mpi_communicator(argc, argv);
  current() = owned_world().get();
  // Before anything touches the GPU: the ranks on one machine spread over its GPUs.
  if (cuda::available()) cuda::use_device_for_rank(world().local_rank());
}

void finalize_world() {
  owned_gpu().reset();
  if (current() == owned_world().get()) current() = nullptr;
  owned_world().reset();
}

Communicator& training_communicator(Device device) {
  Communicator& w = world();
  if (device != Device::cuda || w.size() == 1 || !nccl_available()) return w;
  if (!owned_gpu()) owned_gpu() = make_nccl_communicator(w);
  return *owned_gpu();
}

bool distributed() { return world().size() > 1; }

std::string rank_name(const Communicator& comm) {
  return "rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size());
}

void set_world_for_testing(Communicator* comm) { current() = comm; }

namespace {
// Runs op on t itself when it is on the CPU or gpu_op(t) takes it, else on a
// host copy of t.
template <class GpuOp, class Op>
void run_collective(Tensor& t, GpuOp gpu_op, Op op) {
  if (t.device() == Device::cpu) {
    op(t);
    return;
  }
  if (gpu_op(t)) return;
  Tensor host = t.to(Device::cpu);
  op(host);
  t.copy_from(host);
}
}  // namespace

void all_reduce_sum(Communicator& comm, Tensor& t) {
  if (comm.size() == 1 || t.numel() == 0) return;
  run_collective(
      t, [&](Tensor& g) { return comm.all_reduce_sum_gpu(g.raw(), g.numel(), g.dtype()); },
      [&](Tensor& h) { comm.all_reduce_sum(h.raw(), h.numel(), h.dtype()); });
}

void broadcast(Communicator& comm, Tensor& t, int root) {
  if (comm.size() == 1 || t.numel() == 0) return;
  run_collective(
      t, [&](Tensor& g) { return comm.broadcast_gpu(g.raw(), g.nbytes(), root); },
      [&](Tensor& h) { comm.broadcast(h.raw(), h.nbytes(), root); });
}

std::string broadcast_string(Communicator& comm, const std::string& s, int root) {
  if (comm.size() == 1) return s;
  uint64_t n = comm.rank() == root ? s.size() : 0;
  comm.broadcast(&n, sizeof n, root);
  std::string out = comm.rank() == root ? s : std::string(static_cast<std::size_t>(n), '\0');
  if (n > 0) comm.broadcast(out.data(), out.size(), root);
  return out;
}

std::map<std::string, Tensor> broadcast_tensors(Communicator& comm, const std::map<std::string, Tensor>& tensors,
                                                int root) {
  if (comm.size() == 1) return tensors;
  nlohmann::json header = nlohmann::json::array();
  if (comm.rank() == root)
    for (const auto& kv : tensors) header.push_back({kv.first, static_cast<int>(kv.second.dtype()), kv.second.shape()});
  header = nlohmann::json::parse(broadcast_string(comm, header.dump(), root));
  std::map<std::string, Tensor> out;
  for (const auto& e : header) {
    const std::string name = e[0].get<std::string>();
    Tensor t = comm.rank() == root ? tensors.at(name).to(Device::cpu).clone()
                                   : Tensor::empty(e[2].get<Shape>(), static_cast<DType>(e[1].get<int>()));
    if (t.numel() > 0) comm.broadcast(t.raw(), t.nbytes(), root);
    out[name] = t;
  }
  return out;
}

void collective_check(Communicator& comm, const std::function<void()>& f, int root) {
  if (comm.size() == 1) {
    f();
    return;
  }
  std::string msg;
  bool failed = false;
  try {
    f();
  } catch (const SharedError&) {
    throw;
  } catch (const std::exception& e) {
    failed = true;
    msg = e.what();
  }
  int32_t flags[2] = {failed ? 1 : 0, failed && comm.rank() == root ? 1 : 0};
  comm.all_reduce_sum(flags, 2, DType::i32);
  if (flags[0] == 0) return;
  if (flags[1] != 0) throw SharedError(comm.rank() == root ? msg : std::string());
  throw SharedError(failed ? rank_name(comm) + ": " + msg : std::string());
}

}  // namespace convlab::dist
