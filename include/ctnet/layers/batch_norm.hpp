// batch_norm: per-channel normalisation with learned scale and shift (BatchNorm2d on feature maps,
// BatchNorm1d on vectors). Inference uses the running statistics, which live in the model's buffer
// beside the trainable gamma and beta but are not parameters.
#pragma once
#include <cstddef>

#include "../graph/node.hpp"
#include "../kernels/reference/batch_norm.hpp"
#include "../kernels/simd/elementwise.hpp"

namespace ctnet {

struct batch_norm {};

template <std::size_t... E>
struct bind<batch_norm, shape<E...>> : leaf_node<bind<batch_norm, shape<E...>>> {
  using input = shape<E...>;
  using output = input;
  static constexpr std::size_t channels = input::channels, plane = input::height * input::width;
  static constexpr std::string_view kind = "batch_norm";
  static constexpr auto tensors = lay_out(std::array{
      tensor_spec{"weight", {channels}, 1, true, initial_value::ones},
      tensor_spec{"bias", {channels}, 1, true, initial_value::zeros},
      tensor_spec{"running_mean", {channels}, 1, false, initial_value::zeros},
      tensor_spec{"running_var", {channels}, 1, false, initial_value::ones},
  });
  static constexpr std::size_t params = trainable_count(tensors), storage = storage_of(tensors);
  static constexpr std::size_t macs = 0, workspace = 0;

  // The execution layout: per-channel scale and shift, folded once from the four tensors.
  static constexpr std::size_t folded_floats = round_up(channels, tensor_alignment_floats);
  template <class Arch>
  static constexpr std::size_t packed_floats() { return 2 * folded_floats; }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    simd::elementwise<Arch>::fold_batch_norm(channels, p + tensors[0].offset, p + tensors[1].offset,
                                             p + tensors[2].offset, p + tensors[3].offset, packed,
                                             packed + folded_floats);
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float*, std::size_t n) {
    simd::elementwise<Arch>::template batch_norm<channels, plane>(packed, packed + folded_floats, x, y, n);
  }

  static std::string detail() { return {}; }
  static void forward(const float* p, const float* x, float* y, float*, std::size_t n) {
    reference::batch_norm(channels, plane, p + tensors[0].offset, p + tensors[1].offset, p + tensors[2].offset,
                          p + tensors[3].offset, x, y, n);
  }
};

}  // namespace ctnet
