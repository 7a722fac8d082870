// conv2d<OutChannels, Kernel, Stride = 1, Padding = Kernel / 2, Bias = false>: a square convolution.
// ResNet's convolutions have no bias (a batch_norm follows each); conv2d_with_bias has one.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>

#include "../diagnostics.hpp"
#include "../graph/node.hpp"
#include "../kernels/reference/conv2d.hpp"
#include "../kernels/simd/arch.hpp"
#include "../kernels/simd/conv2d.hpp"

namespace ctnet {

template <std::size_t OutChannels, std::size_t Kernel, std::size_t Stride = 1, std::size_t Padding = Kernel / 2,
          bool Bias = false>
struct conv2d {
  static_assert(OutChannels > 0 && Kernel > 0 && Stride > 0,
                "conv2d<OutChannels, Kernel, Stride, Padding>: channels, kernel and stride must be positive");
};

template <std::size_t OutChannels, std::size_t Kernel, std::size_t Stride = 1, std::size_t Padding = Kernel / 2>
using conv2d_with_bias = conv2d<OutChannels, Kernel, Stride, Padding, true>;

template <std::size_t O, std::size_t K, std::size_t S, std::size_t P, bool Bias, std::size_t C, std::size_t H,
          std::size_t W>
struct bind<conv2d<O, K, S, P, Bias>, shape<C, H, W>> : leaf_node<bind<conv2d<O, K, S, P, Bias>, shape<C, H, W>>> {
  static constexpr long out_h = window_output(H, K, S, P), out_w = window_output(W, K, S, P);
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert((out_h > 0 && out_w > 0) ||
                      diagnostic::conv_output_empty<diagnostic::input_shape<C, H, W>, diagnostic::kernel<K>,
                                                    diagnostic::stride<S>, diagnostic::padding<P>>::value,
                  "conv2d: the kernel does not fit in the padded input, so the output would be empty - "
                  "use a smaller kernel or stride, more padding, or a larger input");
  };
  static_assert(check::done);

  using input = shape<C, H, W>;
  using output = shape<O, at_least_one(out_h), at_least_one(out_w)>;
  static constexpr std::string_view kind = "conv2d";
  static constexpr auto tensors = [] {
    constexpr tensor_spec weight{"weight", {O, C, K, K}, 4, true, initial_value::he_normal, O * K * K};
    if constexpr (Bias) {
      // nn.Conv2d's default bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      return lay_out(std::array{weight, tensor_spec{"bias", {O}, 1, true, initial_value::uniform_fan_in, C * K * K}});
    } else {
      return lay_out(std::array{weight});
    }
  }();
  static constexpr std::size_t params = trainable_count(tensors), storage = storage_of(tensors);
  static constexpr reference::window_geometry geometry{C, H, W, O, output::height, output::width, K, S, P};
  static constexpr std::size_t macs = output::size * C * K * K;
  static constexpr std::size_t workspace = simd::conv2d_scratch_floats(geometry);

  // The execution layout: the weights packed for Arch's matrix product, then the bias.
  template <class Arch>
  static constexpr std::size_t packed_floats() {
    return simd::conv2d<Arch>::packed_weight_floats(geometry) + (Bias ? round_up(O, tensor_alignment_floats) : 0);
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    using fast = simd::conv2d<Arch>;
    fast::pack(geometry, p, packed);
    if constexpr (Bias) std::copy_n(p + tensors.back().offset, O, packed + fast::packed_weight_floats(geometry));
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    using fast = simd::conv2d<Arch>;
    simd::epilogue bias;
    if constexpr (Bias) bias.bias = packed + fast::packed_weight_floats(geometry);
    fast::run(geometry, packed, x, y, ws, n, bias);
  }

  static std::string detail() {
    return std::to_string(K) + "x" + std::to_string(K) + (S > 1 ? " /" + std::to_string(S) : "") +
           (P > 0 ? " pad " + std::to_string(P) : "") + (Bias ? " +bias" : "");
  }
  static void forward(const float* p, const float* x, float* y, float*, std::size_t n) {
    reference::conv2d(geometry, p, Bias ? p + tensors.back().offset : nullptr, x, y, n);
  }
};

template <std::size_t O, std::size_t K, std::size_t S, std::size_t P, bool Bias, std::size_t N>
struct bind<conv2d<O, K, S, P, Bias>, shape<N>> : bind<conv2d<O, 1, 1, 0, Bias>, shape<N, 1, 1>> {  // (to go on quietly)
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert(diagnostic::layer_needs_feature_map<diagnostic::input_shape<N>>::value,
                  "conv2d: the input is a flat vector; convolutions need a CxHxW feature map");
  };
  static_assert(check::done);
};

}  // namespace ctnet
