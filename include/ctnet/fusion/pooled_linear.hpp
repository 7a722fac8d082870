// pooled_linear<Out>: a ResNet's head, global_avg_pool → flatten → linear<Out>, as one step. The
// channel means go straight to the linear layer's input (C floats, which stay in cache); the
// flatten, a copy of them, disappears. The weights stay where linear keeps them.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "../graph/node.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"

namespace ctnet {

template <std::size_t Out>
struct pooled_linear {};

template <std::size_t Out, std::size_t C, std::size_t H, std::size_t W>
struct bind<pooled_linear<Out>, shape<C, H, W>> {
  using pool = bind<global_avg_pool, shape<C, H, W>>;
  using fully_connected = bind<linear<Out>, shape<C>>;

  using input = shape<C, H, W>;
  using output = shape<Out>;
  static constexpr std::size_t params = fully_connected::params, storage = fully_connected::storage;
  static constexpr std::size_t macs = fully_connected::macs, kernels = 1;
  static constexpr std::string_view kind = "pooled_linear";
  static std::string detail() { return "global_avg_pool, linear " + std::to_string(Out); }
  static constexpr std::size_t workspace = C + fully_connected::workspace;

  template <class Arch>
  static constexpr std::size_t packed_floats() {
    return fully_connected::template packed_floats<Arch>();
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    fully_connected::template pack<Arch>(p, packed);
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    float* const means = ws;
    pool::template run<Arch>(nullptr, x, means, ws + n * C, n);
    fully_connected::template run<Arch>(packed, means, y, ws + n * C, n);
  }
};

}  // namespace ctnet
