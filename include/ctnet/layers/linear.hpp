// linear<Out>: a fully connected layer with bias, on a vector (flatten a feature map first).
#pragma once
#include <cstddef>

#include "../diagnostics.hpp"
#include "../graph/node.hpp"
#include "../kernels/reference/linear.hpp"
#include "../kernels/simd/linear.hpp"

namespace ctnet {

template <std::size_t Out>
struct linear {
  static_assert(Out > 0, "linear<Out>: Out must be positive");
};

template <std::size_t Out, std::size_t In>
struct bind<linear<Out>, shape<In>> : leaf_node<bind<linear<Out>, shape<In>>> {
  using input = shape<In>;
  using output = shape<Out>;
  static constexpr std::string_view kind = "linear";
  static constexpr auto tensors = lay_out(std::array{
      tensor_spec{"weight", {Out, In}, 2, true, initial_value::uniform_fan_in, In},
      tensor_spec{"bias", {Out}, 1, true, initial_value::uniform_fan_in, In},
  });
  static constexpr std::size_t params = trainable_count(tensors), storage = storage_of(tensors);
  static constexpr std::size_t macs = In * Out;
  static constexpr std::size_t workspace = simd::linear_rows_bound * In;  // the fast kernel's packed samples

  // The execution layout: the weights transposed, as the matrix product's B, then the bias.
  template <class Arch>
  static constexpr std::size_t packed_floats() { return simd::linear<Arch>::packed_floats(In, Out); }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    simd::linear<Arch>::pack(In, Out, p + tensors[0].offset, p + tensors[1].offset, packed);
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    simd::linear<Arch>::run(In, Out, packed, x, y, ws, n);
  }

  static std::string detail() { return {}; }
  static void forward(const float* p, const float* x, float* y, float*, std::size_t n) {
    reference::linear(In, Out, p + tensors[0].offset, p + tensors[1].offset, x, y, n);
  }
};

template <std::size_t Out, std::size_t C, std::size_t H, std::size_t W>
struct bind<linear<Out>, shape<C, H, W>> : bind<linear<Out>, shape<C * H * W>> {  // (to go on quietly)
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert(diagnostic::linear_needs_flattened_input<diagnostic::input_shape<C, H, W>>::value,
                  "linear: the input is a CxHxW feature map - put flatten (or global_avg_pool, flatten) "
                  "before linear");
  };
  static_assert(check::done);
};

}  // namespace ctnet
