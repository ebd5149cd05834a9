// Finding and running gnuplot: the script goes to a temporary file, gnuplot's
// messages to another, both removed afterwards.
#include "host/plot/gnuplot.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/error.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

bool is_executable(const std::string& p) {
  return !p.empty() && ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A new empty file in the temp folder; its path.
std::string make_temp_file(const char* stem) {
  std::string templ = (fs::temp_directory_path() / (std::string(stem) + "-XXXXXX")).string();
  const int fd = ::mkstemp(templ.data());
  CONVLAB_CHECK(fd >= 0, "plot: cannot create a temporary file in " << fs::temp_directory_path().string());
  ::close(fd);
  return templ;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

}  // namespace

std::string find_gnuplot() {
  if (const char* env = std::getenv("CONVLAB_GNUPLOT"); env != nullptr) return is_executable(env) ? env : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (fs::path(dir.empty() ? "." : dir) / "gnuplot").string();
    if (is_executable(candidate)) return candidate;
  }
  return "";
}

bool gnuplot_available(std::string* why) {
  if (!find_gnuplot().empty()) return true;
  if (why != nullptr) {
    const char* env = std::getenv("CONVLAB_GNUPLOT");
    *why = env != nullptr ? "gnuplot not found: CONVLAB_GNUPLOT='" + std::string(env) + "' is not an executable"
                          : "gnuplot not found on PATH (install it, e.g. Debian's gnuplot-nox, or set CONVLAB_GNUPLOT)";
  }
  return false;
}

std::string gnuplot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string gnuplot_png_preamble(const std::string& out_png, int width, int height) {
  std::ostringstream os;
  os << "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
     << "  set terminal pngcairo size " << width << "," << height << " font \"sans,11\" noenhanced\n"
     << "} else {\n"
     << "  set terminal png size " << width << "," << height << " noenhanced\n"
     << "}\n"
     << "set output " << gnuplot_quote(out_png) << "\n";
  return os.str();
}

void run_gnuplot(const std::string& script, const std::string& out_png) {
  std::string why;
  CONVLAB_CHECK(gnuplot_available(&why), "plot: cannot draw " << out_png << ": " << why);
  const std::string exe = find_gnuplot();
  const std::string script_path = make_temp_file("convlab-plot");
  const std::string log_path = make_temp_file("convlab-plot-log");
  {
    std::ofstream f(script_path);
    f << script << "\nunset output\n";
  }
  std::error_code ec;
  fs::remove(out_png, ec);
  const std::string cmd = shell_quote(exe) + " " + shell_quote(script_path) + " >" + shell_quote(log_path) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string log = read_file(log_path);
  fs::remove(script_path, ec);
  fs::remove(log_path, ec);
  CONVLAB_CHECK(rc == 0, "plot: gnuplot failed drawing " << out_png << " (exit status " << rc << "):\n" << log);
  CONVLAB_CHECK(fs::exists(out_png) && fs::file_size(out_png) > 0,
                "plot: gnuplot ran but wrote no " << out_png << (log.empty() ? "" : ":\n") << log);
}

}  // namespace convlab
