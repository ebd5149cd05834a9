// Shape and parameter validation shared by every variant (CPU reference,
// CPU fast, CUDA) of the normalisation ops in host/ops/norm/norm.h.
//
// Each op views x as (A, C, B): A = N, C = features/channels (gamma and beta
// have one entry per c), B = H*W for the spatial ops and 1 otherwise. The
// statistics are taken per "group":
//   per_channel (batchnorm, spatial_batchnorm): one group per c, over (A, B);
//   otherwise (layernorm: G = 1, spatial_groupnorm: G groups): one group per
//   (a, g), over the C/G channels of group g and B.
#pragma once
#include <cstdint>

#include "host/ops/norm/norm.h"

namespace convlab {

struct NormDims {
  int64_t A = 0, C = 0, B = 1;
  bool per_channel = true;
  int64_t G = 1;  // groups per sample when !per_channel

  int64_t num_groups() const { return per_channel ? C : A * G; }
  int64_t group_size() const { return per_channel ? A * B : (C / G) * B; }
  // Group of element (a, c, b).
  int64_t group_of(int64_t a, int64_t c) const { return per_channel ? c : a * G + c / (C / G); }
};

// Validate x, gamma, beta (dtype, device, shapes) and return the view.
NormDims batchnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta);
NormDims spatial_batchnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta);
NormDims layernorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta);
NormDims spatial_groupnorm_dims(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t G);

void check_norm_eps(const char* op, double eps);     // eps > 0 and finite
void check_norm_momentum(const char* op, double m);  // 0 <= m <= 1

// Batchnorm running statistics: validates them when set (shape (C,), dtype
// and device of x), creates them as zeros when empty.
void prepare_running_stats(const char* op, const NormDims& d, const Tensor& x, BatchNormParam& param);

// Forward preamble of a variant that runs on `device` ("variant" names it in
// the message): x is on `device` and eps is valid.
void check_norm_forward(const char* op, const char* variant, Device device, const Tensor& x, double eps);
// The same for batchnorm, plus momentum and the running statistics
// (prepare_running_stats).
void check_batchnorm_forward(const char* op, const char* variant, Device device, const NormDims& d, const Tensor& x,
                             BatchNormParam& param);

// Backward input checks: dout matches cache.x; cache.mean/inv_std have
// d.num_groups() entries of x's dtype and device.
void check_norm_backward(const char* op, const Tensor& dout, const NormCache& cache, const NormDims& d);

}  // namespace convlab
