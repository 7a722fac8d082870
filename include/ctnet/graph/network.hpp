// network<Input, Layers...>: layers bound to the shape of one input sample. This is the type a
// user declares, the zoo defines, and every query, summary and model<> takes.
#pragma once
#include <cstddef>

#include "../shape.hpp"
#include "sequential.hpp"

namespace ctnet {

template <class Input, class... Layers>
struct network {
  static_assert(is_shape_v<Input>, "network<Input, Layers...>: Input must be a shape<C, H, W> or shape<N>");
  using input = Input;
  using layers = sequential<Layers...>;
};

template <class Net>
concept network_type = requires {
  typename Net::input;
  typename Net::layers;
};

// The network's layers bound to its input: the root of the type tree every walk starts from.
template <network_type Net>
using bound_t = bind<typename Net::layers, typename Net::input>;

template <network_type Net>
using input_shape_t = typename Net::input;
template <network_type Net>
using output_shape_t = typename bound_t<Net>::output;

// Trainable parameters, as PyTorch's sum(p.numel() for p in model.parameters()).
template <network_type Net>
inline constexpr std::size_t param_count_v = bound_t<Net>::params;

// Multiply-accumulates of one sample through conv and linear layers, as the paper counts "FLOPs".
template <network_type Net>
inline constexpr std::size_t macs_v = bound_t<Net>::macs;

}  // namespace ctnet
