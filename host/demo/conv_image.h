// The notebooks' "image processing via convolutions" aside: two photos,
// centre-cropped to squares and resized to 200x200, go through convlab's
// conv forward (stride 1, pad 1) with two hand-set 3x3 filters:
//   filter 0, grayscale: 0.3 R + 0.6 G + 0.1 B (centre taps), bias 0;
//   filter 1, horizontal edges of the blue channel: [[1,2,1],[0,0,0],[-1,-2,-1]], bias 128.
// The picture is a 2x3 grid, one row per photo: the resized photo, then the
// two outputs each scaled to 0..255 by its min and max (imshow_no_ax).
#pragma once
#include <string>
#include <vector>

#include "host/image/image.h"
#include "host/tensor.h"

namespace convlab {

struct ConvImageDemo {
  Tensor x;                     // (2, 3, S, S) float32 pixels 0..255, CPU; row order of the picture
  Tensor w;                     // (2, 3, 3, 3) filters
  Tensor b;                     // (2,) biases
  Tensor out;                   // (2, 2, S, S) conv output, CPU
  std::vector<Image> cells;     // the 6 pictures, row by row: photo, grayscale, edges
  Image grid;                   // the cells on a 2x3 grid with white gaps
  Device device = Device::cpu;  // where the conv ran
};

// Filters and biases of the demo, float32 on the CPU.
Tensor conv_image_demo_filters();
Tensor conv_image_demo_biases();

// Runs the demo on two image files (the notebook: puppy first, then kitten).
// The conv runs on the GPU when one is available (and a CUDA conv is
// registered), else on the CPU; the result's `device` says which.
ConvImageDemo run_conv_image_demo(const std::string& first, const std::string& second, int img_size = 200);

// The default photos: <data_dir>/images/puppy.jpg and kitten.jpg, data_dir
// from CONVLAB_DATA_DIR. Throws with a clear message when unset or missing.
std::string default_demo_image(const std::string& file_name);

// Runs the demo and writes its picture to out_png: with titled = false the
// plain grid (stb only); with titled = true the same cells with the
// notebook's titles above the first row, composed by gnuplot (throws
// convlab::Error without gnuplot).
ConvImageDemo write_conv_image_demo(const std::string& first, const std::string& second, const std::string& out_png,
                                    int img_size = 200, bool titled = false);

}  // namespace convlab
