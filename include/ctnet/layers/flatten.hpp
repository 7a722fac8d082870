// flatten: C×H×W → C·H·W, in NCHW order (as torch.flatten(x, 1)). The data does not move.
#pragma once
#include <algorithm>
#include <cstddef>

#include "../graph/node.hpp"

namespace ctnet {

struct flatten {};

template <std::size_t... E>
struct bind<flatten, shape<E...>> : stateless, leaf_node<bind<flatten, shape<E...>>> {
  using input = shape<E...>;
  using output = shape<input::size>;
  static constexpr std::string_view kind = "flatten";
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    std::copy_n(x, n * input::size, y);
  }
};

}  // namespace ctnet
