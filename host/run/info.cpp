// `convlab info`: build, devices, and the registered variants of every op.
#include <ostream>

#include "kernels/runtime/cuda_device.h"
#include "host/ops/affine/affine.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/dropout/dropout.h"
#include "host/ops/loss/loss.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "host/ops/optim/optim.h"
#include "host/ops/relu/relu.h"
#include "host/run/evaluate.h"
#include "models/model_factory.h"

namespace convlab {

namespace {
template <class Impl>
void list_op(std::ostream& out) {
  out << "  " << Impl::name << ":";
  for (Device d : {Device::cpu, Device::cuda}) {
    const auto vs = OpRegistry<Impl>::variants(d);
    if (vs.empty()) continue;
    const std::string def = OpRegistry<Impl>::default_variant(d);
    out << "  " << device_name(d) << " [";
    for (std::size_t i = 0; i < vs.size(); ++i) out << (i ? ", " : "") << vs[i] << (vs[i] == def ? "*" : "");
    out << "]";
  }
  out << "\n";
}
}  // namespace

void info_command(std::ostream& out) {
  out << "convlab " << "0.1.0" << "\n";
#ifdef CONVLAB_HAVE_CUDA
  out << "built with CUDA: yes\n";
#else
  out << "built with CUDA: no\n";
#endif
  out << "devices:\n  cpu\n";
  if (cuda::available()) out << "  cuda: " << cuda::device_name() << "\n";
  else out << "  cuda: not available (" << cuda::no_gpu_reason() << ")\n";
  out << "model types:";
  for (const auto& t : model_types()) out << " " << t;
  out << "\nop variants (* = default):\n";
  list_op<AffineImpl>(out);
  list_op<ReluImpl>(out);
  list_op<ConvImpl>(out);
  list_op<MaxPoolImpl>(out);
  list_op<ConvReluPoolImpl>(out);
  list_op<BatchNormImpl>(out);
  list_op<SpatialBatchNormImpl>(out);
  list_op<LayerNormImpl>(out);
  list_op<SpatialGroupNormImpl>(out);
  list_op<DropoutImpl>(out);
  list_op<SoftmaxLossImpl>(out);
  list_op<SvmLossImpl>(out);
  list_op<OptimImpl>(out);
}

}  // namespace convlab
