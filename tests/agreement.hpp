// Fast kernels against the reference oracle on a whole network: the measure every SIMD test uses.
#pragma once
#include <ctnet/ctnet.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace ctnet::testing {

// Largest error relative to the largest reference value (at least 1).
inline double relative_error(const std::vector<float>& fast, const std::vector<float>& reference) {
  double worst = 0, scale = 1;
  for (float r : reference) scale = std::max(scale, static_cast<double>(std::abs(r)));
  for (std::size_t i = 0; i < fast.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(fast[i]) - reference[i]));
  return worst / scale;
}

// The worse of the fused network's (forward) and the unfused one's (forward_unfused) errors.
template <network_type Net>
double fast_vs_reference(std::size_t batch, std::uint64_t seed) {
  model<Net> m(seed);
  // Non-trivial BN statistics and biases, so that every parameter matters.
  random_stream random(seed + 1);
  for_each_tensor<Net>([&](const std::string& name, const tensor_spec& t, std::size_t offset) {
    if (t.init == initial_value::he_normal) return;
    for (std::size_t i = 0; i < t.count(); ++i)
      m.buffer()[offset + i] = name.ends_with("var") ? static_cast<float>(random.uniform(0.5, 2.0))
                                                     : static_cast<float>(random.normal() * 0.3 + (name.ends_with("weight") ? 1 : 0));
  });
  const auto x = random_values(batch * model<Net>::input_size, seed + 2);
  std::vector<float> fused(batch * model<Net>::output_size), unfused(fused.size()), reference(fused.size());
  m.forward(x, fused);
  m.forward_unfused(x, unfused);
  m.forward_reference(x, reference);
  return std::max(relative_error(fused, reference), relative_error(unfused, reference));
}

// m.forward(x) with 1, 2 and 3 threads (the pool left at 2): one result per thread count.
template <network_type Net>
std::vector<std::vector<float>> forward_with_thread_counts(model<Net>& m, const std::vector<float>& x,
                                                           std::size_t batch) {
  std::vector<std::vector<float>> results;
  for (std::size_t threads : {1, 2, 3}) {
    set_num_threads(threads);
    results.emplace_back(batch * model<Net>::output_size);
    m.forward(x, results.back());
  }
  set_num_threads(2);
  return results;
}

}  // namespace ctnet::testing
