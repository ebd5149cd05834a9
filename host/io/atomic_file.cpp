#include "host/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "host/error.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

// Best effort: a folder's fsync makes a rename in it durable; some file systems refuse it.
void sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

[[noreturn]] void fail_and_remove(const fs::path& tmp, const std::string& what, int err) {
  std::error_code ec;
  fs::remove(tmp, ec);  // the previous version of the file stays
  throw Error(what + ": " + std::strerror(err));
}

void rename_into_place(const fs::path& tmp, const fs::path& p) {
  if (::rename(tmp.c_str(), p.c_str()) != 0)
    fail_and_remove(tmp, p.string() + ": cannot rename " + tmp.string() + " into place", errno);
  sync_dir(p.parent_path());
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& content) {
  const fs::path p(path);
  const fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CONVLAB_CHECK(fd >= 0, tmp.string() << ": cannot create file: " << std::strerror(errno));
  std::size_t done = 0;
  int err = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) fail_and_remove(tmp, path + ": write failed (disk full?)", err);
  rename_into_place(tmp, p);
}

void replace_file_atomic(const std::string& tmp, const std::string& path) {
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_and_remove(tmp, tmp + ": cannot open to flush", errno);
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) fail_and_remove(tmp, tmp + ": fsync failed (disk full?)", e);
  rename_into_place(tmp, path);
}

}  // namespace convlab
