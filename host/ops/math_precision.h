// The arithmetic a variant computes in: its tensors' own precision (full),
// or one of float32's reduced-precision modes, where float32 tensors are
// multiplied on tensor cores with their operands rounded to TF32 (10
// fraction bits) or BF16 (7) and accumulated in float32. A run's
// "precision" ("fp32", "tf32", "bf16") selects the mode (host/ops/registry.h).
#pragma once
#include <string>

namespace convlab {

enum class MathPrecision { full, tf32, bf16 };

// The names a run config's "precision" uses: "fp32" (full), "tf32", "bf16"
// (math_precision.cpp); parse_math_precision throws a clear Error for others.
const char* math_precision_name(MathPrecision p);
MathPrecision parse_math_precision(const std::string& name);

}  // namespace convlab
