#include "host/io/untrusted_file.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "host/error.h"

namespace convlab {

namespace fs = std::filesystem;

std::string describe_non_regular(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec) {
    if (ec.value() == ELOOP) return "a symlink loop";
    if (ec.value() == ENOENT || ec.value() == ENOTDIR) {
      return fs::is_symlink(fs::symlink_status(path, ec)) ? "a dangling symlink" : "not found";
    }
    return "a path that cannot be examined (" + ec.message() + ")";
  }
  switch (st.type()) {
    case fs::file_type::regular:
      return "";
    case fs::file_type::not_found:
      return "not found";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::character:
      return "a character device";
    default:
      return "not a regular file";
  }
}

std::string describe_unstreamable(const std::string& path) {
  std::error_code ec;
  if (fs::is_fifo(fs::status(path, ec))) return "";
  return describe_non_regular(path);
}

std::string found_instead_of_file(const std::string& found) {
  return found == "not found" ? found : "found " + found + ", expected a file";
}

namespace {
std::string cannot_open(const std::string& path, const std::string& what, const std::string& found) {
  return path + ": cannot open " + what + ": " + found_instead_of_file(found);
}
}  // namespace

void expect_regular_file(const std::string& path, const std::string& what) {
  const std::string found = describe_non_regular(path);
  CONVLAB_CHECK(found.empty(), cannot_open(path, what, found));
}

std::string read_file_capped(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  const std::string found = describe_unstreamable(path);
  CONVLAB_CHECK(found.empty(), cannot_open(path, what, found));
  std::ifstream in(path, std::ios::binary);
  CONVLAB_CHECK(in, path << ": " << what << ": cannot open the file");
  std::string out;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    CONVLAB_CHECK(out.size() <= max_bytes,
                  path << ": " << what << ": larger than the limit of " << max_bytes << " bytes");
  }
  CONVLAB_CHECK(in.eof(), path << ": " << what << ": read error");
  return out;
}

}  // namespace convlab
