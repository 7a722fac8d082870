// Walking a network's tensors by their PyTorch state_dict names (conv1.weight,
// layer1.0.bn1.running_mean, fc.bias, ...), each with its place in the model's flat buffer.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "../graph/network.hpp"

namespace ctnet {

// f(const std::string& name, const tensor_spec& spec, std::size_t offset) for every tensor, in the
// order of the buffer; offset counts floats from the buffer's start.
template <network_type Net, class F>
void for_each_tensor(F&& f) {
  auto each_layer = [&](std::string_view path, const layer_record& layer) {
    for (const tensor_spec& t : layer.tensors) f(join_path(path, t.name), t, layer.offset + t.offset);
  };
  bound_t<Net>::visit(each_layer, "", 0);
}

// f(std::string_view path, const layer_record&) for every layer, as a summary lists them.
template <network_type Net, class F>
void for_each_layer(F&& f) {
  bound_t<Net>::visit(f, "", 0);
}

}  // namespace ctnet
