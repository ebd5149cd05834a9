// The names of the math precisions (host/ops/math_precision.h).
#include "host/ops/math_precision.h"

#include "host/error.h"

namespace convlab {

const char* math_precision_name(MathPrecision p) {
  switch (p) {
    case MathPrecision::tf32:
      return "tf32";
    case MathPrecision::bf16:
      return "bf16";
    case MathPrecision::full:
      break;
  }
  return "fp32";
}

MathPrecision parse_math_precision(const std::string& name) {
  for (MathPrecision p : {MathPrecision::full, MathPrecision::tf32, MathPrecision::bf16})
    if (name == math_precision_name(p)) return p;
  throw Error("precision: expected \"fp32\", \"tf32\" or \"bf16\", got \"" + name + "\"");
}

}  // namespace convlab
