// model<Net>: a network with its weights, ready to run. Every parameter and BN running statistic
// lives in one contiguous 64-byte-aligned float buffer, at offsets fixed by the network's type.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../fusion/fuse.hpp"
#include "../graph/network.hpp"
#include "../io/weights.hpp"
#include "../kernels/simd/arch.hpp"
#include "aligned_buffer.hpp"
#include "initialize.hpp"
#include "kernel_set.hpp"
#include "profile.hpp"
#include "threads.hpp"
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
  using fused_graph = bound_t<fuse_t<Net>>;  // what forward() runs (fusion/fuse.hpp)
  using input_shape = typename Net::input;
  using output_shape = typename graph::output;
  static_assert(fused_graph::storage == graph::storage, "fuse_t must keep every weight where Net keeps it");

  static constexpr std::size_t input_size = input_shape::size;    // floats in one input sample
  static constexpr std::size_t output_size = output_shape::size;  // floats in one output sample
  static constexpr std::size_t buffer_size = graph::storage;      // floats of weights and statistics
  // The static memory plan: scratch floats per sample that a forward pass (fused, unfused or
  // reference) needs besides its input and output. Activations hand over through two ping-pong
  // buffers; a residual block keeps what its end still reads (the body's activation, and the
  // shortcut's output unless that is x itself); kernels' scratch comes after.
  static constexpr std::size_t workspace_per_sample = std::max(graph::workspace, fused_graph::workspace);
  static constexpr std::size_t workspace_bytes(std::size_t batch = 1) {
    return batch * workspace_per_sample * sizeof(float);
  }

  // Weights drawn as torchvision initialises a ResNet, from `seed`: the same seed, the same model.
  // The kernels are chosen (see active_arch()), the weights packed for them and scratch memory
  // reserved for batches of up to `max_batch`: from then on forward() allocates nothing, unless
  // a larger batch arrives. (Throws ctnet::error if CTNET_ARCH names no usable kernels.)
  explicit model(std::uint64_t seed = 0, std::size_t max_batch = 1) : weights_(buffer_size) {
    initialize<Net>(weights_.span(), seed);
    reserve(max_batch);
  }

  // Scratch memory for batches of up to `batch`, and the fused kernels' packed weights, now.
  void reserve(std::size_t batch) {
    threads();  // the kernels' thread pool, started now rather than inside a forward pass
    if (active_kernels() == kernel_family::simd) prepare<fuse_t<Net>>(fused_);
    reserve_workspace(batch);
  }

  // The whole buffer, in for_each_tensor<Net> order (padding between tensors is zero). Handing
  // out writable weights means they may change: the kernels' packed copy is rebuilt before the
  // next forward pass.
  std::span<float> buffer() {
    weights_changed();
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
    weights_changed();
    return found;
  }

  // Says that weights were written through a span obtained before the last forward pass, so the
  // kernels' packed copy must be rebuilt. (Calling buffer() or tensor() again does the same.)
  void weights_changed() { fused_.stale = unfused_.stale = true; }

  // Loads every parameter and BN statistic from a safetensors file, by PyTorch state_dict name;
  // converts F16, BF16 and F64. On any problem throws ctnet::error and keeps the weights it had.
  void load(const std::filesystem::path& path, const load_options& options = {}) {
    load_weights<Net>(path, weights_.span(), options);
    weights_changed();
  }
  // Writes them as float32 safetensors; the file is replaced whole or not at all.
  void save(const std::filesystem::path& path) const { save_weights<Net>(path, weights_.span()); }

  // Runs a batch of N samples, NCHW float32; N = in.size() / input_size. Batch norm uses its
  // running statistics (inference). The network run is fuse_t<Net>, on the SIMD kernels of
  // active_arch(): the best architecture compiled in that this CPU runs, or the one CTNET_ARCH
  // names; the scalar reference kernels if it says "reference". Allocates nothing for batches up
  // to the reserved size; a larger one grows the scratch memory.
  void forward(std::span<const float> in, std::span<float> out) {
    const std::size_t batch = checked_batch(in, out);
    reserve_workspace(batch);
    forward(in, out, workspace_.span());
  }
  // The same in scratch memory the caller provides: at least workspace_bytes(N) bytes, as floats.
  // Allocates nothing once the weights are packed (at construction, and after they change).
  void forward(std::span<const float> in, std::span<float> out, std::span<float> workspace) {
    if (active_kernels() == kernel_family::reference) return forward_reference(in, out, workspace);
    run<fuse_t<Net>>(fused_, in, out, workspace);
  }

  // The layers one by one, unfused, on the same SIMD kernels: what fusion saves is measured
  // against this. Its packed weights are made, and kept, at its first call.
  void forward_unfused(std::span<const float> in, std::span<float> out) {
    reserve_workspace(checked_batch(in, out));
    if (active_kernels() == kernel_family::reference) return forward_reference(in, out, workspace_.span());
    run<Net>(unfused_, in, out, workspace_.span());
  }

  // Times each step of forward()'s pass (runtime/profile.hpp) over `passes` passes of the batch
  // `in`, after one pass untimed: the medians, step by step, in the order the pass runs them. The
  // batch runs as one, each step shared by all the threads, as forward() runs a batch smaller than
  // twice the threads (a larger one goes image by image to each thread, which a per-step profile
  // cannot show). Throws ctnet::error for an input that is not a whole, non-empty batch, for
  // passes = 0, and when CTNET_ARCH selects the reference kernels, which have no fused pass.
  pass_profile profile(std::span<const float> in, std::size_t passes = 10) {
    if (passes == 0) throw error("ctnet::model::profile: passes must be at least 1");
    if (active_kernels() == kernel_family::reference)
      throw error("ctnet::model::profile: times the SIMD kernels' fused pass, and CTNET_ARCH=reference selects none");
    if (in.empty()) throw error("ctnet::model::profile: the input holds no sample");
    std::vector<float> out(in.size() / input_size * output_size);
    const std::size_t batch = checked_batch(in, out);
    reserve_workspace(batch);
    prepare<fuse_t<Net>>(fused_);
    return profile_passes<Net>(batch, passes, [&] {
      fused_.kernels.run(fused_.packed.data(), in.data(), out.data(), workspace_.data(), batch);
    });
  }

  // The scalar reference kernels, layer by layer: the oracle every fast kernel is tested against.
  void forward_reference(std::span<const float> in, std::span<float> out) {
    reserve_workspace(checked_batch(in, out));
    forward_reference(in, out, workspace_.span());
  }
  void forward_reference(std::span<const float> in, std::span<float> out, std::span<float> workspace) {
    const std::size_t batch = checked_batch(in, out);
    if (batch == 0) return;
    check_workspace(workspace, batch);
    graph::forward(weights_.data(), in.data(), out.data(), workspace.data(), batch);
  }

 private:
  // One way of running the network: its kernels, and the weights packed for them.
  struct execution {
    kernel_set kernels{};   // active_arch()'s, chosen at first use
    aligned_buffer packed;  // the weights as those kernels read them, derived by kernels.pack
    bool stale = true;      // whether the weights may have changed since packed was derived
  };

  template <network_type Graph>
  void prepare(execution& e) {
    if (!e.kernels.run) {
      e.kernels = kernels_for<Graph>(active_arch());
      e.packed = aligned_buffer(e.kernels.packed_floats);
    }
    if (e.stale) {
      e.kernels.pack(weights_.data(), e.packed.data());
      e.stale = false;
    }
  }
  template <network_type Graph>
  void run(execution& e, std::span<const float> in, std::span<float> out, std::span<float> workspace) {
    const std::size_t batch = checked_batch(in, out);
    if (batch == 0) return;
    check_workspace(workspace, batch);
    prepare<Graph>(e);
    // Whole images to each thread, every layer of the network on one image at a time in its own
    // part of the workspace: no thread waits for another between layers, and an image's
    // activations stay in its core's cache, where each layer over the whole batch streamed them
    // through memory (cifar_resnet<20> at batch 128 ran 1.4x faster, resnet18 and resnet50 at
    // batch 2-4 1.1-1.2x). The kernels' own parallel_for runs inline inside the pool's task. The
    // images left over (fewer than the threads) run as a batch, each layer shared by all threads.
    // An image's result is the same either way: no kernel's arithmetic depends on the batch size
    // or the thread count.
    auto& pool = threads();
    const std::size_t sharers = pool.concurrency();
    const std::size_t alone = sharers > 1 ? batch / sharers * sharers : 0;
    pool.parallel_for(alone, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        e.kernels.run(e.packed.data(), in.data() + i * input_size, out.data() + i * output_size,
                      workspace.data() + i * workspace_per_sample, 1);
    });
    if (alone < batch)
      e.kernels.run(e.packed.data(), in.data() + alone * input_size, out.data() + alone * output_size,
                    workspace.data(), batch - alone);
  }

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
  static void check_workspace(std::span<float> workspace, std::size_t batch) {
    if (workspace.size() < batch * workspace_per_sample)
      throw error("ctnet::model::forward: the workspace has " + std::to_string(workspace.size()) +
                  " floats, but a batch of " + std::to_string(batch) + " needs " +
                  std::to_string(batch * workspace_per_sample) + " (workspace_bytes(" + std::to_string(batch) +
                  ") / sizeof(float))");
  }
  void reserve_workspace(std::size_t batch) {
    if (workspace_.size() < batch * workspace_per_sample) workspace_ = aligned_buffer(batch * workspace_per_sample);
  }

  aligned_buffer weights_;
  execution fused_;    // forward()
  execution unfused_;  // forward_unfused()
  aligned_buffer workspace_;  // activations between layers and kernels' scratch, for the largest batch yet
};

}  // namespace ctnet
