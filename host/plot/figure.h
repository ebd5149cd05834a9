// A figure of line/point charts stacked vertically (matplotlib's
// plt.subplot(n, 1, i)), rendered by gnuplot to PNG.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace convlab {

// matplotlib format strings of the notebooks: 'o' (markers only), '-o'
// (line with circles), '-^' (line with triangles), '-' (line only).
enum class Marker { dots, lines_circles, lines_triangles, line };

struct Series {
  std::string label;  // legend entry; "" for none
  std::vector<double> x, y;
  Marker marker = Marker::lines_circles;
};

// x values 0, 1, ..., y.size() - 1 (plt.plot(y)).
Series indexed_series(std::string label, const std::vector<double>& y, Marker marker);

struct Panel {
  std::string title, xlabel, ylabel;
  bool log_x = false;
  std::optional<std::pair<double, double>> y_range;
  std::string legend = "top left";  // gnuplot key position; "" hides the legend
  std::vector<Series> series;
};

struct Figure {
  int width = 1000, height = 800;  // pixels
  std::vector<Panel> panels;       // top to bottom
};

// The gnuplot script that draws fig into out_png (data inline).
std::string figure_script(const Figure& fig, const std::string& out_png);

// Draws fig into out_png with gnuplot; throws convlab::Error without gnuplot.
void render_figure(const Figure& fig, const std::string& out_png);

}  // namespace convlab
