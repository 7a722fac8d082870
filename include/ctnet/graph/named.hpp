// named<"conv1", conv2d<64, 7, 2>>: gives a layer the name PyTorch gives it, so that summaries,
// weight files and benchmarks speak of layer2.0.conv1 rather than of positions.
// The name only travels with the layer for naming: kernels are instantiated on the unnamed
// layer, so a hundred identically shaped blocks still compile once.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ctnet {

template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&literal)[N]) { std::copy_n(literal, N, text); }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

template <fixed_string Name, class Layer>
struct named {};

// The name a sequential gives its child: its own name, or its position as nn.Sequential does.
template <class Layer>
struct layer_name {
  static constexpr bool given = false;
  using layer = Layer;
};
template <fixed_string Name, class Layer>
struct layer_name<named<Name, Layer>> {
  static constexpr bool given = true;
  static constexpr std::string_view value = Name.view();
  using layer = Layer;
};

template <class Layer>
using unnamed_t = typename layer_name<Layer>::layer;

}  // namespace ctnet
