// `convlab info`: build, devices, and every op: its header (which lists its
// variants and their files) and its registered variants per device.
#include <ostream>

#include "host/ops/registry.h"
#include "host/run/evaluate.h"
#include "kernels/runtime/cuda_device.h"
#include "models/model_factory.h"

namespace convlab {

namespace {
void list_op(std::ostream& out, const OpListing& op) {
  out << "  " << op.name << " (" << op.header << "):";
  for (Device d : {Device::cpu, Device::cuda}) {
    const auto vs = op.variants(d);
    if (vs.empty()) continue;
    const std::string def = op.default_variant(d);
    out << "  " << device_name(d) << " [";
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const MathPrecision p = op.precision(d, vs[i]);
      out << (i ? ", " : "") << vs[i] << (vs[i] == def ? "*" : "");
      if (p != MathPrecision::full) out << " (" << math_precision_name(p) << ")";
    }
    out << "]";
  }
  out << "\n";
}
}  // namespace

void info_command(std::ostream& out) {
  out << "convlab "
      << "0.1.0"
      << "\n";
#ifdef CONVLAB_HAVE_CUDA
  out << "built with CUDA: yes\n";
#else
  out << "built with CUDA: no\n";
#endif
  out << "devices:\n  cpu\n";
  if (cuda::available())
    out << "  cuda: " << cuda::device_name() << "\n";
  else
    out << "  cuda: not available (" << cuda::no_gpu_reason() << ")\n";
  out << "model types:";
  for (const auto& t : model_types()) out << " " << t;
  out << "\nops (header; variants per device, * = default, (tf32) / (bf16) = a reduced-precision variant, the\n"
         "default of a run with that \"precision\"; one folder per op: host/ops/<op>/ holds the header, checks,\n"
         "CPU reference, threaded CPU code and registration, kernels/<op>/ the CUDA variants):\n";
  for (const OpListing& op : registered_ops()) list_op(out, op);
}

}  // namespace convlab
