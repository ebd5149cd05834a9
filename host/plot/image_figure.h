// Pictures on a grid with a small title above each (matplotlib's subplots of
// imshow with plt.title and axis('off')), composed by gnuplot from images
// written as temporary PNG files.
#pragma once
#include <string>
#include <vector>

#include "host/image/image.h"

namespace convlab {

struct TitledImage {
  Image image;        // gray or RGB, any size: drawn stretched to the cell
  std::string title;  // "" for none
};

// Draws the cells row by row, `cols` per row, each cell_px x cell_px pixels.
// Throws convlab::Error without gnuplot (see gnuplot.h).
void render_image_figure(const std::vector<TitledImage>& cells, int cols, const std::string& out_png,
                         int cell_px = 200);

}  // namespace convlab
