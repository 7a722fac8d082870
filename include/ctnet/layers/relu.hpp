// relu: max(x, 0) on any shape.
#pragma once
#include <cstddef>

#include "../graph/node.hpp"
#include "../kernels/reference/relu.hpp"
#include "../kernels/simd/elementwise.hpp"

namespace ctnet {

struct relu {};

template <std::size_t... E>
struct bind<relu, shape<E...>> : stateless, leaf_node<bind<relu, shape<E...>>> {
  using input = shape<E...>;
  using output = input;
  static constexpr std::string_view kind = "relu";
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    reference::relu(x, y, n * input::size);
  }
  template <class Arch>
  static void run(const float*, const float* x, float* y, float*, std::size_t n) {
    simd::elementwise<Arch>::relu(x, y, n * input::size);
  }
};

}  // namespace ctnet
