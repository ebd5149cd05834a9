// Running gnuplot (an external program) to draw charts as PNG files.
// gnuplot is looked up as $CONVLAB_GNUPLOT when that is set, else as
// "gnuplot" on PATH. Without it, chart functions throw convlab::Error with
// a message saying so; nothing else in convlab needs it.
#pragma once
#include <string>

namespace convlab {

// Full path of the gnuplot executable, or "" when there is none.
std::string find_gnuplot();

// True when gnuplot can be run; otherwise *why (if given) says what is missing.
bool gnuplot_available(std::string* why = nullptr);

// The terminal lines every chart starts with: pngcairo when this gnuplot
// has it, else the libgd png terminal; width x height pixels; output file;
// plain (non-enhanced) text so that names like with_norm print as written.
std::string gnuplot_png_preamble(const std::string& out_png, int width, int height);

// Quotes s as a gnuplot double-quoted string.
std::string gnuplot_quote(const std::string& s);

// Runs `script` (which must write out_png) with gnuplot. Throws
// convlab::Error when gnuplot is missing, when it fails (with its messages)
// or when it left no out_png.
void run_gnuplot(const std::string& script, const std::string& out_png);

}  // namespace convlab
