// Thread count of the CPU code. The fast CPU ops run on one pool of OpenMP
// threads; OpenBLAS is held at one thread and called from inside those
// threads (so that two pools never compete for the cores). By default every
// core is used.
#pragma once

namespace convlab {

// Uses n OpenMP threads from now on (and sets OpenBLAS to one thread per
// call); n <= 0 restores the default, one thread per core.
void set_num_threads(int n);
// The number of threads the CPU ops use.
int get_num_threads();
// Cores on this machine, as the OpenMP runtime sees them (1 without OpenMP).
int hardware_threads();

}  // namespace convlab
