// fuse_t<Net>: the network model<Net> runs for inference, rewritten at compile time as a graph
// optimiser rewrites a runtime graph:
//   conv2d → batch_norm (→ relu)                 conv_bn<conv2d, relu?>: one kernel, BN folded in
//   residual whose body ends in conv2d → batch_norm
//                                                fused_residual: the add and relu in that conv's epilogue
//   global_avg_pool → flatten → linear<Out>      pooled_linear<Out>
// Everything else is kept as it is. The rewritten network reads the same weight buffer, at the
// same offsets (a fused layer's weights are its parts' blocks, in order), so Net's model serves
// both; names are dropped, as only Net's are ever reported.
#pragma once
#include <cstddef>
#include <utility>

#include "../graph/named.hpp"
#include "../graph/network.hpp"
#include "../graph/residual.hpp"
#include "../graph/sequential.hpp"
#include "../graph/type_list.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "../layers/relu.hpp"
#include "conv_bn.hpp"
#include "pooled_linear.hpp"
#include "residual.hpp"

namespace ctnet {

namespace detail {
// A sequence's layers, each already fused within, matched left to right against the patterns.
template <class Done, class... Rest>
struct fuse_sequence {
  using type = Done;
};
template <class... Done, class First, class... Rest>
struct fuse_sequence<sequential<Done...>, First, Rest...> : fuse_sequence<sequential<Done..., First>, Rest...> {};
template <class... Done, std::size_t O, std::size_t K, std::size_t S, std::size_t P, bool B, class... Rest>
struct fuse_sequence<sequential<Done...>, conv2d<O, K, S, P, B>, batch_norm, Rest...>
    : fuse_sequence<sequential<Done..., conv_bn<conv2d<O, K, S, P, B>, false>>, Rest...> {};
template <class... Done, std::size_t O, std::size_t K, std::size_t S, std::size_t P, bool B, class... Rest>
struct fuse_sequence<sequential<Done...>, conv2d<O, K, S, P, B>, batch_norm, relu, Rest...>
    : fuse_sequence<sequential<Done..., conv_bn<conv2d<O, K, S, P, B>, true>>, Rest...> {};
template <class... Done, std::size_t Out, class... Rest>
struct fuse_sequence<sequential<Done...>, global_avg_pool, flatten, linear<Out>, Rest...>
    : fuse_sequence<sequential<Done..., pooled_linear<Out>>, Rest...> {};

// A residual's fused body: whether it ends in a conv_bn without relu, whose epilogue can add.
template <class Body, class Shortcut>
struct fuse_residual {
  using type = residual<Body, Shortcut>;
};
template <class Last>
inline constexpr bool can_add = false;
template <class Conv>
inline constexpr bool can_add<conv_bn<Conv, false>> = true;

template <class List, class Indices>
struct take;  // the first Indices::size() types of List, as a sequential
template <class List, std::size_t... I>
struct take<List, std::index_sequence<I...>> {
  using type = sequential<type_at<I, List>...>;
};

template <class... Layers, class Shortcut>
  requires(sizeof...(Layers) > 1 && can_add<type_at<sizeof...(Layers) - 1, type_list<Layers...>>>)
struct fuse_residual<sequential<Layers...>, Shortcut> {
  using type = fused_residual<typename take<type_list<Layers...>, std::make_index_sequence<sizeof...(Layers) - 1>>::type,
                              type_at<sizeof...(Layers) - 1, type_list<Layers...>>, Shortcut>;
};

template <class Layer>
struct fuse_layer {
  using type = Layer;
};
template <fixed_string Name, class Layer>
struct fuse_layer<named<Name, Layer>> : fuse_layer<Layer> {};
template <class... Layers>
struct fuse_layer<sequential<Layers...>> : fuse_sequence<sequential<>, typename fuse_layer<Layers>::type...> {};
template <class Body, class Shortcut>
struct fuse_layer<residual<Body, Shortcut>>
    : fuse_residual<typename fuse_layer<Body>::type, typename fuse_layer<Shortcut>::type> {};
}  // namespace detail

template <network_type Net>
struct fused_network {
  using input = typename Net::input;
  using layers = typename detail::fuse_layer<typename Net::layers>::type;
};

template <network_type Net>
using fuse_t = fused_network<Net>;

// Kernels a fast forward pass runs: one per layer unfused, far fewer fused.
template <network_type Net>
inline constexpr std::size_t kernel_count_v = bound_t<Net>::kernels;

}  // namespace ctnet
