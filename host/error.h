// convlab::Error: the one exception type the library throws for bad input.
// Messages name what was wrong (the argument, its shape, what was expected).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace convlab {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace convlab

// CONVLAB_CHECK(cond, "message " << value): throws convlab::Error when cond is false.
#define CONVLAB_CHECK(cond, msg)                       \
  do {                                                 \
    if (!(cond)) {                                     \
      std::ostringstream convlab_check_os_;            \
      convlab_check_os_ << msg;                        \
      throw ::convlab::Error(convlab_check_os_.str()); \
    }                                                  \
  } while (0)
