// Fuzz target: the JSON run config with --set overrides and sweeps
// (host/config/config.h, host/config/sweep.h), as `convlab train CONFIG --set ...` reads them.
//
// Input: leading lines that start with "--set " are overrides (the rest of the
// line is KEY=VALUE); everything after them is the config file's text. No model
// is built from a fuzzed config (that would allocate what the config asks for).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/config/config.h"
#include "host/config/sweep.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static convlab::fuzz::TempFile file("fuzz-config");
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string marker = "--set ";
  std::vector<std::string> overrides;
  size_t pos = 0;
  while (text.compare(pos, marker.size(), marker) == 0) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    overrides.push_back(text.substr(pos + marker.size(), end - pos - marker.size()));
    pos = end < text.size() ? end + 1 : end;
  }
  const std::string& path = file.write(data + pos, size - pos);
  convlab::fuzz::expect_only_convlab_errors("fuzz_config", [&] {
    namespace config = convlab::config;
    config::json j = config::load_json_file(path);
    for (const std::string& o : overrides) config::apply_override(j, o);
    if (config::has_sweep(j)) {
      for (const config::SweepPoint& p : config::expand_sweep(j)) {
        // Each point is validated on its own: one bad point must not hide the next.
        convlab::fuzz::expect_only_convlab_errors("fuzz_config", [&] { config::parse_run_config(p.config); });
      }
    } else {
      config::parse_run_config(j);
    }
  });
  return 0;
}
