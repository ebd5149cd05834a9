// convlab demo conv-image [--out F] [--size N] [--plain] [IMG1 IMG2]
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/commands.h"
#include "host/demo/conv_image.h"
#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab::cli {

namespace {

struct ConvImageOptions {
  std::vector<std::string> images;
  std::string out = "conv_image.png";
  int size = 200;
  bool plain = false;
};

int run_conv_image(const ConvImageOptions& o) {
  CONVLAB_CHECK(o.images.empty() || o.images.size() == 2,
                "demo conv-image: give two images (first row, second row) or none, got " << o.images.size());
  const std::string first = o.images.empty() ? default_demo_image("puppy.jpg") : o.images[0];
  const std::string second = o.images.empty() ? default_demo_image("kitten.jpg") : o.images[1];
  std::string why;
  bool titled = !o.plain;
  if (titled && !gnuplot_available(&why)) {
    std::cerr << "note: " << why << "; writing the plain grid without titles\n";
    titled = false;
  }
  const ConvImageDemo d = write_conv_image_demo(first, second, o.out, o.size, titled);
  std::cout << "Wrote " << o.out << " (conv forward on " << device_name(d.device) << ")\n";
  return 0;
}

}  // namespace

std::function<int()> add_demo(CLI::App& app) {
  auto o = std::make_shared<ConvImageOptions>();
  CLI::App* demo = app.add_subcommand("demo", "The notebooks' demos");
  demo->require_subcommand(1);
  CLI::App* ci = demo->add_subcommand(
      "conv-image", "Grayscale and horizontal-edge filters applied with convlab's conv forward (2x3 picture)");
  ci->add_option("images", o->images,
                 "Two image files, first and second row (default: $CONVLAB_DATA_DIR/images/puppy.jpg, kitten.jpg)");
  ci->add_option("--out", o->out, "PNG file to write (default: conv_image.png)");
  ci->add_option("--size", o->size, "Side of the square the photos are resized to (default: 200)")
      ->check(CLI::Range(3, 4096));
  ci->add_flag("--plain", o->plain, "Plain image grid without titles (the titled figure needs gnuplot)");
  return [o]() { return run_conv_image(*o); };
}

}  // namespace convlab::cli
