// bind<Layer, In>: a layer applied to an input shape. Layers such as conv2d<64, 3> are declared
// without their input; binding is where shapes are inferred and checked, and where a layer learns
// everything the rest of ctnet asks of it:
//   output        the output shape (static_assert with named shapes when the input does not fit)
//   params        trainable parameters, counted as PyTorch's parameters() does
//   storage       floats the layer occupies in the model's flat buffer (parameters, BN statistics)
//   macs          multiply-accumulates per sample (conv and linear only, as the paper counts)
//   workspace     scratch floats per sample a forward pass needs besides its input and output
//   kernels       kernels a fast forward pass runs (passes over the activations)
//   forward(p, x, y, ws, n)   runs a batch of n samples with the reference kernels (the oracle),
//                             reading its weights at p, in PyTorch's layout
//   packed_floats<Arch>()     floats of the execution layout: the weights as Arch's fast kernels
//                             read them (packed panels for a conv; PyTorch's layout elsewhere)
//   pack<Arch>(p, packed)     derives the execution layout from the PyTorch one
//   run<Arch>(packed, x, y, ws, n)   runs a batch with the fast kernels for Arch
//   visit(v, path, offset)    reports each layer, with its path and buffer offset, to a visitor
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "../shape.hpp"

namespace ctnet {

template <class Layer, class In>
struct bind;  // specialised by each layer header

// How a tensor starts out, as torchvision initialises a ResNet.
enum class initial_value {
  he_normal,       // Kaiming normal, fan_out, gain sqrt(2): conv weights
  uniform_fan_in,  // U(-1/sqrt(fan_in), 1/sqrt(fan_in)): nn.Linear's default
  ones,
  zeros,
};

// One tensor of a layer: named and shaped as in a PyTorch state_dict.
struct tensor_spec {
  std::string_view name;
  std::array<std::size_t, 4> dims{};
  std::size_t rank = 1;
  bool trainable = true;
  initial_value init = initial_value::zeros;
  std::size_t fan = 1;     // fan_out for he_normal, fan_in for uniform_fan_in
  std::size_t offset = 0;  // floats from the start of the layer's block, filled by lay_out

  constexpr std::size_t count() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

// Every tensor starts on a 64-byte boundary, as SIMD kernels prefer.
inline constexpr std::size_t tensor_alignment_floats = 64 / sizeof(float);

constexpr std::size_t round_up(std::size_t n, std::size_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

template <std::size_t N>
constexpr std::array<tensor_spec, N> lay_out(std::array<tensor_spec, N> tensors) {
  std::size_t offset = 0;
  for (auto& t : tensors) {
    t.offset = offset;
    offset += round_up(t.count(), tensor_alignment_floats);
  }
  return tensors;
}

template <std::size_t N>
constexpr std::size_t storage_of(const std::array<tensor_spec, N>& tensors) {
  return N == 0 ? 0 : tensors[N - 1].offset + round_up(tensors[N - 1].count(), tensor_alignment_floats);
}

template <std::size_t N>
constexpr std::size_t trainable_count(const std::array<tensor_spec, N>& tensors) {
  std::size_t n = 0;
  for (const auto& t : tensors) n += t.trainable ? t.count() : 0;
  return n;
}

// What a visitor hears of each layer: run-time data, so visitors compile once, not per layer.
struct layer_record {
  std::string_view kind;  // "conv2d", "batch_norm", "residual", ...
  std::string detail;     // "3x3 /2 pad 1", "+ zero_pad, relu", ...
  std::array<std::size_t, 3> output{};
  std::size_t output_rank = 0;
  std::size_t params = 0;
  std::size_t macs = 0;
  std::size_t offset = 0;  // floats from the start of the model's buffer
  std::span<const tensor_spec> tensors;
};

template <class Shape>
constexpr std::array<std::size_t, 3> extents_of() {
  if constexpr (Shape::rank == 3) return {Shape::channels, Shape::height, Shape::width};
  else return {Shape::size, 0, 0};
}

inline std::string join_path(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  std::string path(parent);
  path += '.';
  path += child;
  return path;
}

// What every layer with its own tensors has in common; Derived supplies kind, detail(), output,
// tensors, storage, macs and forward(). A layer with a fast kernel hides packed_floats, pack and
// run with its own; the others run their reference kernel on an unchanged copy of their weights.
template <class Derived>
struct leaf_node {
  static constexpr std::size_t kernels = 1;
  template <class Arch>
  static constexpr std::size_t packed_floats() { return Derived::storage; }
  template <class Arch>
  static void pack(const float* params, float* packed) { std::copy_n(params, Derived::storage, packed); }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    Derived::forward(packed, x, y, ws, n);
  }

  template <class Visitor>
  static void visit(Visitor& visitor, std::string_view path, std::size_t offset) {
    using output = typename Derived::output;
    visitor(path, layer_record{Derived::kind, Derived::detail(), extents_of<output>(), output::rank,
                               trainable_count(Derived::tensors), Derived::macs, offset,
                               std::span<const tensor_spec>(Derived::tensors)});
  }
};

// Layers without tensors or scratch space.
struct stateless {
  static constexpr std::array<tensor_spec, 0> tensors{};
  static constexpr std::size_t params = 0, storage = 0, macs = 0, workspace = 0;
  static std::string detail() { return {}; }
};

}  // namespace ctnet
