// model<Net>: a network with its weights, ready to run. Every parameter and BN running statistic
// lives in one contiguous 64-byte-aligned float buffer, at offsets fixed by the network's type.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../graph/network.hpp"
#include "../io/weights.hpp"
#include "aligned_buffer.hpp"
#include "initialize.hpp"
#include "tensors.hpp"

namespace ctnet {

namespace detail {
template <class Shape>
std::string describe_shape() {
  const auto e = extents_of<Shape>();
  if constexpr (Shape::rank == 3)
    return std::to_string(e[0]) + "x" + std::to_string(e[1]) + "x" + std::to_string(e[2]);
  else
    return std::to_string(e[0]);
}
}  // namespace detail

template <network_type Net>
class model {
 public:
  using network = Net;
  using graph = bound_t<Net>;
  using input_shape = typename Net::input;
  using output_shape = typename graph::output;

  static constexpr std::size_t input_size = input_shape::size;    // floats in one input sample
  static constexpr std::size_t output_size = output_shape::size;  // floats in one output sample
  static constexpr std::size_t buffer_size = graph::storage;      // floats of weights and statistics
  static constexpr std::size_t workspace_per_sample = graph::workspace;

  // Weights drawn as torchvision initialises a ResNet, from `seed`: the same seed, the same model.
  explicit model(std::uint64_t seed = 0) : weights_(buffer_size) { initialize<Net>(weights_.span(), seed); }

  // The whole buffer, in for_each_tensor<Net> order (padding between tensors is zero).
  std::span<float> buffer() { return weights_.span(); }
  std::span<const float> buffer() const { return weights_.span(); }

  // One tensor by its state_dict name, e.g. "layer1.0.conv1.weight".
  std::span<float> tensor(std::string_view name) {
    std::span<float> found;
    for_each_tensor<Net>([&](const std::string& n, const tensor_spec& t, std::size_t offset) {
      if (n == name) found = {weights_.data() + offset, t.count()};
    });
    if (found.data() == nullptr) throw error("ctnet::model::tensor: no tensor named \"" + std::string(name) + "\"");
    return found;
  }

  // Loads every parameter and BN statistic from a safetensors file, by PyTorch state_dict name;
  // converts F16, BF16 and F64. On any problem throws ctnet::error and keeps the weights it had.
  void load(const std::filesystem::path& path, const load_options& options = {}) {
    load_weights<Net>(path, weights_.span(), options);
  }
  // Writes them as float32 safetensors; the file is replaced whole or not at all.
  void save(const std::filesystem::path& path) const { save_weights<Net>(path, weights_.span()); }

  // Runs a batch of N samples, NCHW float32; N = in.size() / input_size. Batch norm uses its
  // running statistics (inference). Scratch memory grows only when a larger batch than before arrives.
  void forward(std::span<const float> in, std::span<float> out) {
    if (in.size() % input_size != 0)
      throw error("ctnet::model::forward: the input has " + std::to_string(in.size()) +
                  " floats, which is not a whole number of samples of " + std::to_string(input_size) + " (" +
                  detail::describe_shape<input_shape>() + ")");
    const std::size_t batch = in.size() / input_size;
    if (out.size() != batch * output_size)
      throw error("ctnet::model::forward: the output has " + std::to_string(out.size()) + " floats, but a batch of " +
                  std::to_string(batch) + " needs " + std::to_string(batch) + " x " + std::to_string(output_size) +
                  " (" + detail::describe_shape<output_shape>() + ") = " + std::to_string(batch * output_size));
    if (batch == 0) return;
    if (workspace_.size() < batch * workspace_per_sample) workspace_.resize(batch * workspace_per_sample);
    graph::forward(weights_.data(), in.data(), out.data(), workspace_.data(), batch);
  }

 private:
  aligned_buffer weights_;
  std::vector<float> workspace_;
};

}  // namespace ctnet
