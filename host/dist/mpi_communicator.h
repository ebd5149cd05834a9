// The MPI backend of Communicator (host/dist/communicator.h): MPI_COMM_WORLD,
// MPI_Allreduce and MPI_Bcast on host buffers, MPI_Abort for a failed rank.
// Compiled in every build; without MPI (CONVLAB_HAVE_MPI unset) mpi_available()
// is false and make_mpi_communicator() throws.
#pragma once
#include <memory>

#include "host/dist/communicator.h"

namespace convlab::dist {

bool mpi_available();
// MPI_Init_thread (only the main thread calls MPI); MPI_Finalize when the object goes.
std::unique_ptr<Communicator> make_mpi_communicator(int& argc, char**& argv);

}  // namespace convlab::dist
