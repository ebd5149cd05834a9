// cs231n's visualize_grid for convolution filters: each of the F filters of
// an (F, C, H, W) tensor is scaled to 0..ubound by its own min and max and
// placed on a ceil(sqrt(F)) x ceil(sqrt(F)) grid with `padding` black pixels
// between cells (no border); unused cells stay black. C = 3 is shown as RGB,
// C = 1 as gray. A constant filter (max == min) gives a black cell.
#pragma once
#include <string>

#include "host/image/image.h"
#include "host/tensor.h"

namespace convlab {

Image visualize_grid(const Tensor& filters, double ubound = 255.0, int padding = 1);

// visualize_grid of the tensor `name` (default W1, the first conv layer) of a
// safetensors checkpoint (host/solver/safetensors.h), upscaled by `scale` (nearest neighbour; 0 picks a
// factor that makes the picture about 400 pixels wide), written as PNG.
// Returns the image written.
Image write_filter_grid_png(const std::string& checkpoint, const std::string& out_png, const std::string& name = "W1",
                            int scale = 0);

}  // namespace convlab
