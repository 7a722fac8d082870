// A small generator whose sequence is fixed by its seed on every compiler and standard library
// (std::normal_distribution is not: libstdc++ and libc++ differ), so a seed names one model.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>

namespace ctnet {

class random_stream {
 public:
  explicit random_stream(std::uint64_t seed) : state_(seed) {}

  // splitmix64: passes BigCrush and needs one word of state.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform on [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal by Box–Muller (one draw per pair; simplicity over speed).
  double normal() {
    const double u = 1.0 - uniform();  // (0, 1]: log stays finite
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * uniform());
  }

 private:
  std::uint64_t state_;
};

}  // namespace ctnet
