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
#include "../kernels/simd/arch.hpp"
#include "aligned_buffer.hpp"
#include "initialize.hpp"
#include "kernel_set.hpp"
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
  explicit model(std::uint64_t seed = 0) : weights_(buffer_size) {
    initialize<Net>(weights_.span(), seed);
  }

  // The whole buffer, in for_each_tensor<Net> order (padding between tensors is zero). Handing
  // out writable weights means they may change: the kernels' packed copy is rebuilt before the
  // next forward pass.
  std::span<float> buffer() {
    stale_ = true;
    return weights_.span();
  }
  std::span<const float> buffer() const { return weights_.span(); }

  // One tensor by its state_dict name, e.g. "layer1.0.conv1.weight".
  std::span<float> tensor(std::string_view name) {
    std::span<float> found;
    for_each_tensor<Net>([&](const std::string& n, const tensor_spec& t, std::size_t offset) {
      if (n == name) found = {weights_.data() + offset, t.count()};
    });
    if (found.data() == nullptr) throw error("ctnet::model::tensor: no tensor named \"" + std::string(name) + "\"");
    stale_ = true;
    return found;
  }

  // Says that weights were written through a span obtained before the last forward pass, so the
  // kernels' packed copy must be rebuilt. (Calling buffer() or tensor() again does the same.)
  void weights_changed() { stale_ = true; }

  // Loads every parameter and BN statistic from a safetensors file, by PyTorch state_dict name;
  // converts F16, BF16 and F64. On any problem throws ctnet::error and keeps the weights it had.
  void load(const std::filesystem::path& path, const load_options& options = {}) {
    load_weights<Net>(path, weights_.span(), options);
    stale_ = true;
  }
  // Writes them as float32 safetensors; the file is replaced whole or not at all.
  void save(const std::filesystem::path& path) const { save_weights<Net>(path, weights_.span()); }

  // Runs a batch of N samples, NCHW float32; N = in.size() / input_size. Batch norm uses its
  // running statistics (inference). The kernels are the SIMD ones of active_arch(): the best
  // architecture compiled in that this CPU runs, or the one CTNET_ARCH names; the scalar reference
  // ones if it says "reference". Scratch memory grows only when a larger batch than before arrives.
  void forward(std::span<const float> in, std::span<float> out) {
    if (active_kernels() == kernel_family::reference) return forward_reference(in, out);
    const std::size_t batch = checked_batch(in, out);
    if (batch == 0) return;
    prepare(batch);
    kernels_.run(packed_.data(), in.data(), out.data(), workspace_.data(), batch);
  }

  // The same with the scalar reference kernels: the oracle every fast kernel is tested against.
  void forward_reference(std::span<const float> in, std::span<float> out) {
    const std::size_t batch = checked_batch(in, out);
    if (batch == 0) return;
    reserve_workspace(batch);
    graph::forward(weights_.data(), in.data(), out.data(), workspace_.data(), batch);
  }

 private:
  std::size_t checked_batch(std::span<const float> in, std::span<float> out) const {
    if (in.size() % input_size != 0)
      throw error("ctnet::model::forward: the input has " + std::to_string(in.size()) +
                  " floats, which is not a whole number of samples of " + std::to_string(input_size) + " (" +
                  detail::describe_shape<input_shape>() + ")");
    const std::size_t batch = in.size() / input_size;
    if (out.size() != batch * output_size)
      throw error("ctnet::model::forward: the output has " + std::to_string(out.size()) + " floats, but a batch of " +
                  std::to_string(batch) + " needs " + std::to_string(batch) + " x " + std::to_string(output_size) +
                  " (" + detail::describe_shape<output_shape>() + ") = " + std::to_string(batch * output_size));
    return batch;
  }
  void prepare(std::size_t batch) {
    if (!kernels_.run) {
      kernels_ = kernels_for<Net>(active_arch());
      packed_ = aligned_buffer(kernels_.packed_floats);
    }
    if (stale_) {
      kernels_.pack(weights_.data(), packed_.data());
      stale_ = false;
    }
    reserve_workspace(batch);
  }
  void reserve_workspace(std::size_t batch) {
    if (workspace_.size() < batch * workspace_per_sample) workspace_ = aligned_buffer(batch * workspace_per_sample);
  }

  aligned_buffer weights_;
  kernel_set kernels_{};    // active_arch()'s kernels, chosen at the first forward pass
  aligned_buffer packed_;   // the weights as those kernels read them, derived by kernels_.pack
  bool stale_ = true;       // whether weights_ may have changed since packed_ was derived
  aligned_buffer workspace_;  // activations between layers and kernels' scratch, for the largest batch yet
};

}  // namespace ctnet
