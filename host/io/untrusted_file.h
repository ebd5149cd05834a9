// Reading files that convlab does not control (configs, data, checkpoints):
// say what was found where a file was expected, and read with a size cap so
// that /dev/zero or a huge file is refused instead of filling memory.
#pragma once
#include <cstdint>
#include <string>

namespace convlab {

// "" for a regular file (after following symlinks); otherwise what is there:
// "not found", "a directory", "a FIFO (named pipe)", "a symlink loop", ...
std::string describe_non_regular(const std::string& path);

// As describe_non_regular, but "" for a pipe too: what a reader that only
// streams the bytes (a config, a LIBSVM file) cannot read.
std::string describe_unstreamable(const std::string& path);

// How `found` (from the functions above) reads after "cannot open X: ":
// "not found", or "found a directory, expected a file".
std::string found_instead_of_file(const std::string& found);

// Throws convlab::Error "PATH: cannot open WHAT: found a directory, expected
// a file" (or ": not found") unless path is a regular file.
void expect_regular_file(const std::string& path, const std::string& what);

// The whole content of path, read as bytes. Anything but a regular file or a
// pipe is refused (a pipe lets `convlab train <(...)` work); more than
// max_bytes is an error naming the file, WHAT and the limit.
std::string read_file_capped(const std::string& path, const std::string& what, std::uint64_t max_bytes);

}  // namespace convlab
