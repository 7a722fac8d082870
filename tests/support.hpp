// Helpers the run-time tests share: filling tensors, comparing against hand-computed values,
// and reproducible random inputs.
#pragma once
#include <ctnet/runtime/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace ctnet::testing {

inline void set(std::span<float> tensor, std::span<const float> values) {
  REQUIRE(tensor.size() == values.size());
  std::copy(values.begin(), values.end(), tensor.begin());
}
inline void set(std::span<float> tensor, std::initializer_list<float> values) {
  set(tensor, std::span<const float>(values.begin(), values.size()));
}

// Each value within 1e-6 relative of its hand-computed expectation, element by element.
inline void require_values(std::span<const float> got, std::initializer_list<double> want) {
  REQUIRE(got.size() == want.size());
  std::size_t i = 0;
  for (const double w : want) {
    INFO("element " << i);
    CHECK(got[i] == Approx(w).epsilon(1e-6));
    ++i;
  }
}

// Standard normal values, the same for the same seed everywhere.
inline std::vector<float> random_values(std::size_t count, std::uint64_t seed) {
  random_stream random(seed);
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(random.normal());
  return values;
}

}  // namespace ctnet::testing
