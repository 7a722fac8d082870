// max_pool<K, S, P>, avg_pool<K, S, P> (S defaults to K, as in PyTorch) and global_avg_pool,
// which averages each channel of a C×H×W map to C×1×1 (flatten follows it before a linear).
#pragma once
#include <cstddef>
#include <string>

#include "../diagnostics.hpp"
#include "../graph/node.hpp"
#include "../kernels/reference/pool.hpp"
#include "../kernels/simd/pool.hpp"

namespace ctnet {

template <reference::pooling Kind, std::size_t Kernel, std::size_t Stride, std::size_t Padding>
struct pool2d {
  static_assert(Kernel > 0 && Stride > 0, "pooling: kernel and stride must be positive");
  static_assert(2 * Padding <= Kernel, "pooling: padding may be at most half the kernel (as in PyTorch)");
};

template <std::size_t Kernel, std::size_t Stride = Kernel, std::size_t Padding = 0>
using max_pool = pool2d<reference::pooling::max, Kernel, Stride, Padding>;
template <std::size_t Kernel, std::size_t Stride = Kernel, std::size_t Padding = 0>
using avg_pool = pool2d<reference::pooling::average, Kernel, Stride, Padding>;

template <reference::pooling Kind, std::size_t K, std::size_t S, std::size_t P, std::size_t C, std::size_t H,
          std::size_t W>
struct bind<pool2d<Kind, K, S, P>, shape<C, H, W>> : stateless, leaf_node<bind<pool2d<Kind, K, S, P>, shape<C, H, W>>> {
  static constexpr long out_h = window_output(H, K, S, P), out_w = window_output(W, K, S, P);
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert((out_h > 0 && out_w > 0) ||
                      diagnostic::pool_output_empty<diagnostic::input_shape<C, H, W>, diagnostic::kernel<K>,
                                                    diagnostic::stride<S>, diagnostic::padding<P>>::value,
                  "pooling: the window does not fit in the padded input, so the output would be empty - "
                  "use a smaller window or a larger input");
  };
  static_assert(check::done);

  using input = shape<C, H, W>;
  using output = shape<C, at_least_one(out_h), at_least_one(out_w)>;
  static constexpr std::string_view kind = Kind == reference::pooling::max ? "max_pool" : "avg_pool";
  static constexpr reference::window_geometry geometry{C, H, W, C, output::height, output::width, K, S, P};

  static std::string detail() {
    return std::to_string(K) + "x" + std::to_string(K) + (S > 1 ? " /" + std::to_string(S) : "") +
           (P > 0 ? " pad " + std::to_string(P) : "");
  }
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    reference::pool2d(Kind, geometry, x, y, n);
  }
  template <class Arch>
  static void run(const float*, const float* x, float* y, float*, std::size_t n) {
    simd::pool<Arch>::template window<Kind, geometry>(x, y, n);
  }
};

template <reference::pooling Kind, std::size_t K, std::size_t S, std::size_t P, std::size_t N>
struct bind<pool2d<Kind, K, S, P>, shape<N>> : bind<pool2d<Kind, 1, 1, 0>, shape<N, 1, 1>> {  // (to go on quietly)
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert(diagnostic::layer_needs_feature_map<diagnostic::input_shape<N>>::value,
                  "pooling: the input is a flat vector; pooling needs a CxHxW feature map");
  };
  static_assert(check::done);
};

struct global_avg_pool {};

template <std::size_t C, std::size_t H, std::size_t W>
struct bind<global_avg_pool, shape<C, H, W>> : stateless, leaf_node<bind<global_avg_pool, shape<C, H, W>>> {
  using input = shape<C, H, W>;
  using output = shape<C, 1, 1>;
  static constexpr std::string_view kind = "global_avg_pool";
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    reference::global_avg_pool(n * C, H * W, x, y);
  }
  template <class Arch>
  static void run(const float*, const float* x, float* y, float*, std::size_t n) {
    simd::pool<Arch>::template global_average<H * W>(n * C, x, y);
  }
};

template <std::size_t N>
struct bind<global_avg_pool, shape<N>> : bind<global_avg_pool, shape<N, 1, 1>> {  // (to go on quietly)
  struct check {  // a member class, so that clang reports one error (see diagnostics.hpp)
    static constexpr bool done = true;
    static_assert(diagnostic::layer_needs_feature_map<diagnostic::input_shape<N>>::value,
                  "global_avg_pool: the input is a flat vector already; remove global_avg_pool");
  };
  static_assert(check::done);
  // Go on as if it were removed: the vector, not N×1×1, so that a linear after it adds no error.
  using input = shape<N>;
  using output = shape<N>;
};

}  // namespace ctnet
