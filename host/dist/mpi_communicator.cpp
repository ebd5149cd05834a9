#include "host/dist/mpi_communicator.h"

#ifdef CONVLAB_HAVE_MPI
// The C API only (not OpenMPI's deprecated C++ bindings).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#endif

namespace convlab::dist {

#ifdef CONVLAB_HAVE_MPI

namespace {

void check_mpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

// The MPI type and element size of dt (this file links to MPI alone, not to the rest of convlab).
struct MpiType {
  MPI_Datatype type;
  int64_t size;
};
MpiType mpi_type(DType dt) {
  switch (dt) {
    case DType::f32:
      return {MPI_FLOAT, 4};
    case DType::f64:
      return {MPI_DOUBLE, 8};
    case DType::i32:
      return {MPI_INT32_T, 4};
    default:
      throw Error("all_reduce_sum: expected a float32, float64 or int32 buffer");
  }
}

// MPI counts are int: larger buffers go in pieces of at most INT_MAX elements.
template <class Call>
void in_pieces(int64_t n, Call call) {
  for (int64_t at = 0; at < n; at += INT_MAX) call(at, static_cast<int>(std::min<int64_t>(INT_MAX, n - at)));
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int& argc, char**& argv) {
    int provided = 0;
    check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as return codes, turned into convlab::Error (and then
    // into an MPI_Abort of the job by main()), not MPI's own abort.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    MPI_Comm local;
    check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local),
              "MPI_Comm_split_type");
    check_mpi(MPI_Comm_size(local, &local_size_), "MPI_Comm_size");
    check_mpi(MPI_Comm_rank(local, &local_rank_), "MPI_Comm_rank");
    MPI_Comm_free(&local);
  }
  ~MpiCommunicator() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }
  int local_rank() const override { return local_rank_; }
  const char* backend() const override { return "mpi"; }

  void all_reduce_sum(void* data, int64_t n, DType dtype) override {
    const MpiType t = mpi_type(dtype);
    in_pieces(n, [&](int64_t at, int count) {
      check_mpi(
          MPI_Allreduce(MPI_IN_PLACE, static_cast<char*>(data) + at * t.size, count, t.type, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
    });
  }
  void broadcast(void* data, std::size_t nbytes, int root) override {
    in_pieces(static_cast<int64_t>(nbytes), [&](int64_t at, int count) {
      check_mpi(MPI_Bcast(static_cast<char*>(data) + at, count, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
    });
  }
  void barrier() override { check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1, local_rank_ = 0;
};

}  // namespace

bool mpi_available() { return true; }
std::unique_ptr<Communicator> make_mpi_communicator(int& argc, char**& argv) {
  return std::make_unique<MpiCommunicator>(argc, argv);
}

#else

bool mpi_available() { return false; }
std::unique_ptr<Communicator> make_mpi_communicator(int&, char**&) {
  throw Error("this convlab was built without MPI (install libopenmpi-dev and configure with -DCONVLAB_MPI=ON)");
}

#endif

}  // namespace convlab::dist
