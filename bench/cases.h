// The op cases of the kernel benchmark: one function per op builds a Case at
// a given shape; default_cases() holds the shape table.
#pragma once
#include <string>
#include <vector>

#include "bench/harness.h"
#include "host/ops/optim/optim.h"

namespace convlab::bench {

Case conv_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t HH, int64_t WW,
               int stride, int pad);
Case max_pool_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int ph, int pw, int stride);
// conv (stride 1, "same" padding) - relu - max_pool 2x2 stride 2.
Case conv_relu_pool_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t k);
Case affine_case(const std::string& group, int64_t N, int64_t D, int64_t M);
Case relu_case(const std::string& group, const Shape& shape);
Case gelu_case(const std::string& group, const Shape& shape);
Case dropout_case(const std::string& group, const Shape& shape, double keep);
Case softmax_loss_case(const std::string& group, int64_t N, int64_t C);
Case svm_loss_case(const std::string& group, int64_t N, int64_t C);
Case batchnorm_case(const std::string& group, int64_t N, int64_t D);
Case spatial_batchnorm_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W);
Case layernorm_case(const std::string& group, int64_t N, int64_t D);
Case spatial_groupnorm_case(const std::string& group, int64_t N, int64_t C, int64_t H, int64_t W, int G);
// One update-rule step over all of a model's parameters (named `model`).
Case optim_case(const std::string& group, const std::string& model, const std::vector<Shape>& params, UpdateRule rule);

// The shape table: groups "seed" (the notebooks' checks), "tlc<B>"
// (ThreeLayerConvNet's layers at batch B), "fc<B>" (FC net with batchnorm,
// hidden [100]*5) and "large" (shapes that fill a GPU).
std::vector<Case> default_cases(const std::vector<int64_t>& batches);

// Adds cuDNN / cuBLAS baselines to the cases they cover (no-op without CUDA).
void attach_vendor_baselines(std::vector<Case>& cases);

}  // namespace convlab::bench
