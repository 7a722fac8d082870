// conv_bn<Conv, Relu>: a convolution, the batch norm after it and (if Relu) the relu after that, run
// as one kernel. Batch norm in inference is a per-channel affine map, so it folds into the
// convolution: each output channel's weights are multiplied by gamma / sqrt(var + eps) and its bias
// becomes beta - mean · scale (+ the conv's own bias, scaled). The relu, and a residual block's add,
// run in the matrix product's epilogue. The weights stay where the unfused layers keep them (the
// conv's block, then the batch norm's), so one buffer serves both.
#pragma once
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include "../graph/node.hpp"
#include "../kernels/reference/batch_norm.hpp"
#include "../kernels/simd/conv2d.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"

namespace ctnet {

template <class Conv, bool Relu>
struct conv_bn {};

template <std::size_t O, std::size_t K, std::size_t S, std::size_t P, bool Bias, bool Relu, class In>
struct bind<conv_bn<conv2d<O, K, S, P, Bias>, Relu>, In> {
  using conv = bind<conv2d<O, K, S, P, Bias>, In>;
  using norm = bind<batch_norm, typename conv::output>;

  using input = In;
  using output = typename conv::output;
  static constexpr std::size_t params = conv::params + norm::params;
  static constexpr std::size_t storage = conv::storage + norm::storage;
  static constexpr std::size_t macs = conv::macs, workspace = conv::workspace, kernels = 1;
  static constexpr std::string_view kind = "conv_bn";
  static std::string detail() { return conv::detail() + (Relu ? ", relu" : ""); }

  template <class Arch>
  static constexpr std::size_t packed_weight_floats = simd::conv2d<Arch>::packed_weight_floats(conv::geometry);
  // The folded weights, packed, then the folded bias.
  template <class Arch>
  static constexpr std::size_t packed_floats() {
    return packed_weight_floats<Arch> + round_up(O, tensor_alignment_floats);
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    using fast = simd::conv2d<Arch>;
    const float* bn = p + conv::storage;
    const float *gamma = bn + norm::tensors[0].offset, *beta = bn + norm::tensors[1].offset;
    const float *mean = bn + norm::tensors[2].offset, *var = bn + norm::tensors[3].offset;
    float* bias = packed + packed_weight_floats<Arch>;
    // The scales wait where the bias will go, so packing needs no memory of its own.
    for (std::size_t o = 0; o < O; ++o)
      bias[o] = static_cast<float>(gamma[o] / std::sqrt(static_cast<double>(var[o]) + reference::batch_norm_epsilon));
    fast::pack(conv::geometry, p, packed);
    fast::scale_packed(conv::geometry, packed, bias);
    for (std::size_t o = 0; o < O; ++o) {
      const double conv_bias = Bias ? p[conv::tensors.back().offset + o] : 0.0;
      bias[o] = static_cast<float>(beta[o] + (conv_bias - mean[o]) * bias[o]);
    }
  }

  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    run_adding<Arch>(packed, x, y, ws, n, nullptr);
  }
  // The same, then y = relu(y + residual) when residual is given (a residual block's end);
  // residual holds n outputs and must not overlap y.
  template <class Arch>
  static void run_adding(const float* packed, const float* x, float* y, float* ws, std::size_t n,
                         const float* residual) {
    simd::epilogue e;
    e.bias = packed + packed_weight_floats<Arch>;
    e.residual = residual;
    e.ld_residual = output::height * output::width;
    e.relu = Relu || residual;
    simd::conv2d<Arch>::run(conv::geometry, packed, x, y, ws, n, e);
  }
};

}  // namespace ctnet
