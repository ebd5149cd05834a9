// The notebooks' training figures, drawn with gnuplot from run histories.
// Every function throws convlab::Error when gnuplot is missing (see
// gnuplot.h) or the histories lack what the figure needs.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "host/plot/figure.h"
#include "host/plot/run_history.h"

namespace convlab {

// Conv notebook: top, training loss per iteration ('o'); bottom, train and
// val accuracy per epoch ('-o', legend upper left).
Figure training_figure(const RunHistory& run);
void plot_training(const RunHistory& run, const std::string& out_png);

// For a training run's end: draws <run_dir>/training.png when gnuplot is
// present; otherwise, or on any error, prints one line to `log` and returns
// false. Never throws.
bool plot_training_or_warn(const std::string& run_dir, std::ostream& log);

// Batchnorm notebook, baseline vs normalised nets: training loss per
// iteration, training accuracy and validation accuracy per epoch, one
// series per run (label: the run's label), legend lower centre.
Figure comparison_figure(const std::vector<RunHistory>& runs);

// Batchnorm notebook, weight-scale sweep: runs grouped by normalization,
// x = weight_scale (log axis); best val accuracy, best train accuracy, final
// training loss (mean of the last 100 losses, y from 1.0 to 3.5).
Figure weight_scale_figure(const std::vector<RunHistory>& runs);

// Batchnorm notebook, batch-size sweep for one normalization ("batchnorm" or
// "layernorm"): training and validation accuracy per epoch of the runs with
// that normalization ('-o', one per batch size) and of the baseline runs
// (normalization "none", '-^').
Figure batch_size_figure(const std::vector<RunHistory>& runs, const std::string& normalization);

// Draws every figure the runs support into out_dir and returns the files:
// training.png for a single run; comparison.png for 2 to 10 runs (more
// would bury the data under the legend);
// weight_scale_sweep.png when weight_scale takes two or more values;
// batch_size_<norm>.png per normalization with two or more batch sizes.
std::vector<std::string> plot_runs(const std::vector<RunHistory>& runs, const std::string& out_dir);

}  // namespace convlab
