// Figure -> gnuplot script: one inline data block per series, a multiplot
// with one row per panel, matplotlib's default colour cycle.
#include "host/plot/figure.h"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab {

namespace {

// matplotlib's tab10 colour cycle, so series look as in the notebooks.
const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string style(Marker m, int index) {
  std::ostringstream os;
  const char* colour = kColours[index % 10];
  switch (m) {
    case Marker::dots:
      os << "with points pt 7 ps 0.6";
      break;
    case Marker::lines_circles:
      os << "with linespoints lw 1.5 pt 7 ps 0.9";
      break;
    case Marker::lines_triangles:
      os << "with linespoints lw 1.5 pt 9 ps 1.1";
      break;
    case Marker::line:
      os << "with lines lw 1.5";
      break;
  }
  os << " lc rgb \"" << colour << "\"";
  return os.str();
}

}  // namespace

Series indexed_series(std::string label, const std::vector<double>& y, Marker marker) {
  Series s;
  s.label = std::move(label);
  s.y = y;
  s.marker = marker;
  for (size_t i = 0; i < y.size(); ++i) s.x.push_back(static_cast<double>(i));
  return s;
}

std::string figure_script(const Figure& fig, const std::string& out_png) {
  CONVLAB_CHECK(!fig.panels.empty(), "plot: figure for " << out_png << " has no panels");
  CONVLAB_CHECK(fig.width >= 100 && fig.height >= 100,
                "plot: figure size must be at least 100x100 pixels, got " << fig.width << "x" << fig.height);
  std::ostringstream os;
  os << std::setprecision(10);
  os << gnuplot_png_preamble(out_png, fig.width, fig.height);
  for (size_t p = 0; p < fig.panels.size(); ++p)
    for (size_t s = 0; s < fig.panels[p].series.size(); ++s) {
      const Series& ser = fig.panels[p].series[s];
      CONVLAB_CHECK(ser.x.size() == ser.y.size(), "plot: series '" << ser.label << "' has " << ser.x.size()
                                                                   << " x values and " << ser.y.size() << " y values");
      os << "$d" << p << "_" << s << " << EOD\n";
      for (size_t i = 0; i < ser.x.size(); ++i)
        if (std::isfinite(ser.x[i]) && std::isfinite(ser.y[i])) os << ser.x[i] << " " << ser.y[i] << "\n";
      os << "EOD\n";
    }
  os << "set multiplot layout " << fig.panels.size() << ",1\n"
     << "set grid\nset border lw 1\nset key box opaque\n";
  for (size_t p = 0; p < fig.panels.size(); ++p) {
    const Panel& panel = fig.panels[p];
    os << "set title " << gnuplot_quote(panel.title) << "\n"
       << "set xlabel " << gnuplot_quote(panel.xlabel) << "\n"
       << "set ylabel " << gnuplot_quote(panel.ylabel) << "\n"
       << (panel.log_x ? "set logscale x\nset format x \"1e%L\"\n" : "unset logscale x\nset format x \"% h\"\n");
    if (panel.y_range)
      os << "set yrange [" << panel.y_range->first << ":" << panel.y_range->second << "]\n";
    else
      os << "set autoscale y\n";
    if (panel.legend.empty())
      os << "unset key\n";
    else
      os << "set key " << panel.legend << "\n";
    bool any = false;
    std::ostringstream plot;
    for (size_t s = 0; s < panel.series.size(); ++s) {
      if (panel.series[s].x.empty()) continue;
      plot << (any ? ", " : "plot ") << "$d" << p << "_" << s << " using 1:2 "
           << style(panel.series[s].marker, static_cast<int>(s)) << " title " << gnuplot_quote(panel.series[s].label);
      any = true;
    }
    // A panel without data still shows its axes and title.
    os << (any ? plot.str() : std::string("plot [0:1] [0:1] NaN notitle")) << "\n";
  }
  os << "unset multiplot\n";
  return os.str();
}

void render_figure(const Figure& fig, const std::string& out_png) { run_gnuplot(figure_script(fig, out_png), out_png); }

}  // namespace convlab
