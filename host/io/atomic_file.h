// Writing files that must never be seen half written or lost on a crash:
// the content goes to a temporary file in the same folder, which is flushed
// to disk (fsync) and renamed over the target, and the folder is flushed so
// that the rename itself is durable. After a kill or a power cut the target
// holds either the old or the new content, never a mix.
#pragma once
#include <string>

namespace convlab {

// Writes content to path via ".<name>.tmp" beside it. On failure (disk
// full) the temporary file is removed, the old file stays, and
// convlab::Error names the file.
void write_file_atomic(const std::string& path, const std::string& content);

// Flushes tmp (written by someone else, e.g. gnuplot) and renames it over
// path durably; removes tmp and throws on failure.
void replace_file_atomic(const std::string& tmp, const std::string& path);

}  // namespace convlab
