// Deterministic initialisation from a seed, as torchvision initialises a ResNet: conv weights
// Kaiming-normal with fan_out (std = sqrt(2 / (out_channels·k·k))), BN gamma 1 and beta 0,
// running mean 0 and variance 1, linear layers U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
#pragma once
#include <cmath>
#include <cstdint>
#include <span>

#include "random.hpp"
#include "tensors.hpp"

namespace ctnet {

template <network_type Net>
void initialize(std::span<float> buffer, std::uint64_t seed) {
  random_stream random(seed);
  for_each_tensor<Net>([&](const std::string&, const tensor_spec& t, std::size_t offset) {
    float* data = buffer.data() + offset;
    const double fan = static_cast<double>(t.fan);
    for (std::size_t i = 0; i < t.count(); ++i) {
      switch (t.init) {
        case initial_value::he_normal: data[i] = static_cast<float>(random.normal() * std::sqrt(2.0 / fan)); break;
        case initial_value::uniform_fan_in: {
          const double bound = 1.0 / std::sqrt(fan);
          data[i] = static_cast<float>(random.uniform(-bound, bound));
          break;
        }
        case initial_value::ones: data[i] = 1.0f; break;
        case initial_value::zeros: data[i] = 0.0f; break;
      }
    }
  });
}

}  // namespace ctnet
