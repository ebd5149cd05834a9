// Thread count of the CPU code: OpenMP loops of the fast CPU ops and
// OpenBLAS's GEMMs. By default every core is used.
#pragma once

namespace convlab {

// Uses n threads from now on (OpenMP and OpenBLAS alike); n <= 0 restores
// the default, one thread per core.
void set_num_threads(int n);
// The number of threads the CPU ops use.
int get_num_threads();
// Cores on this machine, as the OpenMP runtime sees them (1 without OpenMP).
int hardware_threads();

}  // namespace convlab
