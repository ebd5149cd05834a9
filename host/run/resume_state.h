// The resume state of a run: written after every finished epoch into
// last.safetensors (tensors and counters committed by one rename), read and
// checked by `convlab train --resume`.
#pragma once
#include "host/dist/communicator.h"
#include "host/run/run_folder.h"
#include "host/solver/solver.h"
#include "models/model.h"

namespace convlab {

// last.safetensors: model state + optimiser state "optim.s1.<name>"/"optim.s2.<name>"
// + best state "best.<name>" + the weight average "average.<name>" (when
// solver.weight_averaging is not "none"), and the resume state (epoch, iterations_done,
// best_val, best_epoch, history) as JSON in the metadata key "resume_state",
// so one rename commits the tensors and the counters together. state.json
// is a copy of the resume state for people; resuming never reads it.
void write_resume_state(const RunFolder& folder, Model& model, Solver& solver);
// Reads last.safetensors, checks every value of its resume state (ranges,
// lengths, consistency with the model and with the solver's config; a
// finished run is refused) and only then restores it into the model and the
// solver. Throws naming the file and the key. With several ranks, rank 0 reads
// the file (the others pass a null folder) and every rank restores the same
// state; an error is thrown on every rank (dist::SharedError).
void load_resume_state(const RunFolder* folder, Model& model, Solver& solver, dist::Communicator& comm = dist::world());

}  // namespace convlab
