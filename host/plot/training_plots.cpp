// Training figures: which series go in which panel.
#include "host/plot/training_plots.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

double max_of(const std::vector<double>& v) { return v.empty() ? std::nan("") : *std::max_element(v.begin(), v.end()); }

// np.mean(loss_history[-100:])
double final_loss(const std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  const size_t n = std::min<size_t>(100, v.size());
  return std::accumulate(v.end() - static_cast<std::ptrdiff_t>(n), v.end(), 0.0) / static_cast<double>(n);
}

std::string norm_title(const std::string& norm) {
  if (norm == "batchnorm") return "Batch Normalization";
  if (norm == "layernorm") return "Layer Normalization";
  return norm;
}

// A metric series: against check_epoch when the run has it, else against
// the check's index (the notebooks' plt.plot(history)).
Series per_epoch(const RunHistory& r, std::string label, const std::vector<double>& y, Marker m) {
  Series s = indexed_series(std::move(label), y, m);
  if (r.check_epoch.size() == y.size()) s.x = r.check_epoch;
  return s;
}

// The notebook's legend sits inside, lower centre; with many runs it goes
// outside on the right so that it hides no data.
std::string legend_for(size_t series) {
  return series <= 4 ? "bottom center horizontal" : "outside right top vertical";
}

}  // namespace

Figure training_figure(const RunHistory& run) {
  Figure fig;
  Panel loss;
  loss.xlabel = "iteration";
  loss.ylabel = "loss";
  loss.legend = "";
  loss.series.push_back(indexed_series("", run.loss_history, Marker::dots));
  Panel metric;
  metric.xlabel = "epoch";
  metric.ylabel = run.metric_label;
  metric.legend = "top left";
  metric.series.push_back(per_epoch(run, "train", run.train_metric, Marker::lines_circles));
  metric.series.push_back(per_epoch(run, "val", run.val_metric, Marker::lines_circles));
  fig.panels = {loss, metric};
  return fig;
}

void plot_training(const RunHistory& run, const std::string& out_png) { render_figure(training_figure(run), out_png); }

bool plot_training_or_warn(const std::string& run_dir, std::ostream& log) {
  try {
    std::string why;
    if (!gnuplot_available(&why)) {
      log << "note: no training.png for " << run_dir << ": " << why << "\n";
      return false;
    }
    plot_training(read_run_history(run_dir), (fs::path(run_dir) / "training.png").string());
    return true;
  } catch (const std::exception& e) {
    log << "note: no training.png for " << run_dir << ": " << e.what() << "\n";
    return false;
  }
}

Figure comparison_figure(const std::vector<RunHistory>& runs) {
  CONVLAB_CHECK(!runs.empty(), "plot: comparison needs at least one run");
  Figure fig;
  fig.width = 1100;
  fig.height = 1100;
  const std::string key = legend_for(runs.size());
  Panel loss{"Training loss", "Iteration", "", false, std::nullopt, key, {}};
  Panel train{"Training accuracy", "Epoch", "", false, std::nullopt, key, {}};
  Panel val{"Validation accuracy", "Epoch", "", false, std::nullopt, key, {}};
  for (const RunHistory& r : runs) {
    loss.series.push_back(indexed_series(r.label, r.loss_history, Marker::dots));
    train.series.push_back(per_epoch(r, r.label, r.train_metric, Marker::lines_circles));
    val.series.push_back(per_epoch(r, r.label, r.val_metric, Marker::lines_circles));
  }
  fig.panels = {loss, train, val};
  return fig;
}

Figure weight_scale_figure(const std::vector<RunHistory>& runs) {
  std::map<std::string, std::vector<const RunHistory*>> by_norm;
  for (const RunHistory& r : runs) {
    CONVLAB_CHECK(r.weight_scale.has_value(), "plot: weight-scale sweep: run " << r.dir << " has no weight_scale");
    CONVLAB_CHECK(*r.weight_scale > 0, "plot: weight-scale sweep: run " << r.dir << " has weight_scale "
                                                                        << *r.weight_scale
                                                                        << ", need > 0 for a log axis");
    by_norm[r.normalization].push_back(&r);
  }
  CONVLAB_CHECK(!by_norm.empty(), "plot: weight-scale sweep needs at least one run");
  Figure fig;
  fig.width = 1100;
  fig.height = 1100;
  Panel val{"Best val accuracy vs weight initialization scale",
            "Weight initialization scale",
            "Best val accuracy",
            true,
            std::nullopt,
            "bottom right horizontal",
            {}};
  Panel train{"Best train accuracy vs weight initialization scale",
              "Weight initialization scale",
              "Best training accuracy",
              true,
              std::nullopt,
              "top right",
              {}};
  Panel loss{"Final training loss vs weight initialization scale",
             "Weight initialization scale",
             "Final training loss",
             true,
             std::make_pair(1.0, 3.5),
             "top right",
             {}};
  // "none" first so the baseline takes the first colour, as in the notebook.
  std::vector<std::string> order;
  if (by_norm.count("none")) order.push_back("none");
  for (const auto& kv : by_norm)
    if (kv.first != "none") order.push_back(kv.first);
  for (const std::string& norm : order) {
    auto group = by_norm[norm];
    std::sort(group.begin(), group.end(), [](auto* a, auto* b) { return *a->weight_scale < *b->weight_scale; });
    const std::string label = norm == "none" ? "baseline" : norm;
    Series sv{label, {}, {}, Marker::lines_circles}, st = sv, sl = sv;
    for (const RunHistory* r : group) {
      sv.x.push_back(*r->weight_scale);
      sv.y.push_back(max_of(r->val_metric));
      st.x.push_back(*r->weight_scale);
      st.y.push_back(max_of(r->train_metric));
      sl.x.push_back(*r->weight_scale);
      sl.y.push_back(final_loss(r->loss_history));
    }
    val.series.push_back(sv);
    train.series.push_back(st);
    loss.series.push_back(sl);
  }
  fig.panels = {val, train, loss};
  return fig;
}

Figure batch_size_figure(const std::vector<RunHistory>& runs, const std::string& normalization) {
  std::vector<const RunHistory*> normed, baseline;
  for (const RunHistory& r : runs) {
    if (r.normalization == normalization)
      normed.push_back(&r);
    else if (r.normalization == "none")
      baseline.push_back(&r);
  }
  CONVLAB_CHECK(!normed.empty(), "plot: batch-size sweep: no run with normalization '" << normalization << "'");
  for (const RunHistory* r : normed)
    CONVLAB_CHECK(r->batch_size.has_value(), "plot: batch-size sweep: run " << r->dir << " has no batch_size");
  const auto by_batch = [](auto* a, auto* b) { return a->batch_size < b->batch_size; };
  std::stable_sort(normed.begin(), normed.end(), by_batch);
  // Sweeps of several normalizations each carry their own baseline runs: keep
  // one baseline per batch size (the first given) so none is drawn twice.
  std::stable_sort(baseline.begin(), baseline.end(), by_batch);
  baseline.erase(
      std::unique(baseline.begin(), baseline.end(), [](auto* a, auto* b) { return a->batch_size == b->batch_size; }),
      baseline.end());
  Figure fig;
  fig.width = 1100;
  fig.height = 800;
  const std::string t = " (" + norm_title(normalization) + ")";
  const std::string key = legend_for(normed.size() + baseline.size());
  Panel train{"Training accuracy" + t, "Epoch", "", false, std::nullopt, key, {}};
  Panel val{"Validation accuracy" + t, "Epoch", "", false, std::nullopt, key, {}};
  auto add = [&](const RunHistory* r, const std::string& who, Marker m) {
    const std::string label = who + (r->batch_size ? " batch " + std::to_string(*r->batch_size) : std::string());
    train.series.push_back(per_epoch(*r, label, r->train_metric, m));
    val.series.push_back(per_epoch(*r, label, r->val_metric, m));
  };
  for (const RunHistory* r : normed) add(r, normalization, Marker::lines_circles);
  for (const RunHistory* r : baseline) add(r, "baseline", Marker::lines_triangles);
  fig.panels = {train, val};
  return fig;
}

std::vector<std::string> plot_runs(const std::vector<RunHistory>& runs, const std::string& out_dir) {
  CONVLAB_CHECK(!runs.empty(), "plot: no runs given");
  std::vector<std::string> written;
  auto draw = [&](const Figure& fig, const std::string& name) {
    const std::string path = (fs::path(out_dir) / name).string();
    render_figure(fig, path);
    written.push_back(path);
  };
  if (runs.size() == 1) {
    draw(training_figure(runs[0]), "training.png");
    return written;
  }
  if (runs.size() <= 10) draw(comparison_figure(runs), "comparison.png");
  std::set<double> scales;
  bool all_scaled = true;
  std::map<std::string, std::set<int>> batch_sizes;
  for (const RunHistory& r : runs) {
    if (r.weight_scale)
      scales.insert(*r.weight_scale);
    else
      all_scaled = false;
    if (r.batch_size && r.normalization != "none") batch_sizes[r.normalization].insert(*r.batch_size);
  }
  if (all_scaled && scales.size() >= 2) draw(weight_scale_figure(runs), "weight_scale_sweep.png");
  for (const auto& [norm, sizes] : batch_sizes)
    if (sizes.size() >= 2) draw(batch_size_figure(runs, norm), "batch_size_" + norm + ".png");
  return written;
}

}  // namespace convlab
