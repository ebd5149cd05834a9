// Titled image grid: each cell is its own multiplot panel with no margins,
// placed by screen coordinates; titles are labels in the strip above it.
#include "host/plot/image_figure.h"

#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

// A fresh folder under the temp folder, removed with this object.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "convlab-figure-XXXXXX").string();
    CONVLAB_CHECK(::mkdtemp(templ.data()) != nullptr,
                  "plot: cannot create a temporary folder in " << fs::temp_directory_path().string());
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

void render_image_figure(const std::vector<TitledImage>& cells, int cols, const std::string& out_png, int cell_px) {
  CONVLAB_CHECK(!cells.empty(), "plot: image figure " << out_png << " has no images");
  CONVLAB_CHECK(cols >= 1 && cell_px >= 16,
                "plot: image figure needs cols >= 1 and cell_px >= 16, got " << cols << ", " << cell_px);
  std::string why;
  CONVLAB_CHECK(gnuplot_available(&why), "plot: cannot draw " << out_png << ": " << why);
  const int n = static_cast<int>(cells.size());
  const int rows = (n + cols - 1) / cols;
  const int pad = 8, title_h = 24;
  const int width = pad + cols * (cell_px + pad), height = pad + rows * (title_h + cell_px + pad);

  TempDir tmp;
  std::ostringstream os;
  os << gnuplot_png_preamble(out_png, width, height)
     << "set multiplot\nunset border\nunset tics\nunset key\nset margins 0, 0, 0, 0\n";
  for (int i = 0; i < n; ++i) {
    const Image& img = cells[i].image;
    CONVLAB_CHECK(!img.empty(), "plot: image figure " << out_png << ": image " << i << " is empty");
    const std::string file = (tmp.path / ("cell" + std::to_string(i) + ".png")).string();
    write_png(file, to_rgb(img));
    const int r = i / cols, c = i % cols;
    const int x0 = pad + c * (cell_px + pad);
    const int y_top = pad + r * (title_h + cell_px + pad);  // from the top edge
    const double sx = static_cast<double>(x0) / width, sw = static_cast<double>(cell_px) / width;
    const double sy = 1.0 - static_cast<double>(y_top + title_h + cell_px) / height;
    const double sh = static_cast<double>(cell_px) / height;
    os << "unset label\n";
    if (!cells[i].title.empty())
      os << "set label 1 " << gnuplot_quote(cells[i].title) << " at screen " << sx + sw / 2 << ", "
         << 1.0 - (y_top + title_h * 0.5) / height << " center\n";
    os << "set origin " << sx << ", " << sy << "\nset size " << sw << ", " << sh << "\n"
       << "set xrange [-0.5:" << img.width - 0.5 << "]\nset yrange [-0.5:" << img.height - 0.5 << "]\n"
       << "plot " << gnuplot_quote(file) << " binary filetype=png with rgbimage\n";
  }
  os << "unset multiplot\n";
  run_gnuplot(os.str(), out_png);
}

}  // namespace convlab
