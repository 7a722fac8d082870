// This CPU's fp32 peak, measured: the yardstick for "% of peak" in ctnet's benchmarks
// (benchmarks/gemm.cpp, ctnet/bench/layers.hpp). Measured rather than computed from a data sheet
// because clocks under load, FMA pipes per core and AVX-512 frequency offsets vary by machine, and
// a shared machine's other processes lower what one can actually get.
//
// The loop: independent chains acc = acc·x + y, enough of them (12 for 16 vector registers, 24 for
// 32) to cover FMA latency × FMA pipes, so it runs at the FMA units' throughput. x = y = 0.5 keeps
// every value near 1 (no denormals, no overflow); the compiler cannot fold the chains without
// fast-math. Arch must be enabled by the including translation unit's flags.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include "../kernels/simd/fused_multiply_add.hpp"
#include "../kernels/simd/gemm.hpp"

namespace ctnet::bench {

template <class Arch>
inline constexpr std::size_t fma_chains = simd::gemm_tiling<Arch>::many_registers ? 24 : 12;

// `steps` rounds of one FMA per chain; state holds fma_chains + 2 floats (the chains' start, x, y)
// and receives the chains' sums, so that nothing is dead code.
template <class Arch>
[[gnu::noinline, gnu::flatten]] void fma_loop(std::size_t steps, float* state) {
  using batch = xsimd::batch<float, Arch>;
  constexpr std::size_t chains = fma_chains<Arch>;
  std::array<batch, chains> acc;
  simd::detail::unroll<chains>([&](auto i) { acc[i] = batch(state[i]); });
  const batch x(state[chains]), y(state[chains + 1]);
  for (std::size_t s = 0; s < steps; ++s)
    simd::detail::unroll<chains>([&](auto i) { acc[i] = simd::fused_multiply_add(acc[i], x, y); });
  simd::detail::unroll<chains>([&](auto i) { state[i] = xsimd::hadd(acc[i]); });
}

template <class Arch>
constexpr double fma_loop_flops(std::size_t steps) {
  return 2.0 * static_cast<double>(steps * fma_chains<Arch> * xsimd::batch<float, Arch>::size);
}

// A fresh state for fma_loop, its values hidden from the optimiser.
template <class Arch>
std::vector<float> fma_loop_state() {
  std::vector<float> state(fma_chains<Arch> + 2, 0.5f);
  benchmark::DoNotOptimize(state.data());
  return state;
}

// FLOP/s of `threads` threads running the loop at once: the best of 15 runs of a few milliseconds.
// Each thread notes when it finishes, so that joining does not count; the slowest one sets the time,
// as the slowest thread does for a kernel whose work is split among the threads.
template <class Arch>
double measure_peak_flops(std::size_t threads) {
  threads = std::max<std::size_t>(threads, 1);
  constexpr std::size_t steps = 1 << 20;
  using clock = std::chrono::steady_clock;
  std::vector<std::vector<float>> states;
  for (std::size_t t = 0; t < threads; ++t) states.push_back(fma_loop_state<Arch>());
  fma_loop<Arch>(steps, states[0].data());  // warm up: clocks, caches
  double best = 0;
  for (int run = 0; run < 15; ++run) {
    std::atomic<std::size_t> ready{0};
    std::atomic<bool> go{false};
    std::vector<clock::time_point> finished(threads);
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t)
      helpers.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        fma_loop<Arch>(steps, states[t].data());
        finished[t] = clock::now();
      });
    while (ready.load() + 1 < threads) std::this_thread::yield();
    const auto start = clock::now();
    go.store(true);
    fma_loop<Arch>(steps, states[0].data());
    finished[0] = clock::now();
    for (auto& h : helpers) h.join();
    const std::chrono::duration<double> took = *std::max_element(finished.begin(), finished.end()) - start;
    best = std::max(best, static_cast<double>(threads) * fma_loop_flops<Arch>(steps) / took.count());
  }
  for (auto& s : states) benchmark::DoNotOptimize(s.data());
  return best;
}

// The same, measured once per process and thread count, when first asked for.
template <class Arch>
double peak_flops(std::size_t threads = 1) {
  static std::mutex mutex;
  static std::map<std::size_t, double> measured;
  std::lock_guard lock(mutex);
  auto found = measured.find(threads);
  if (found == measured.end()) found = measured.emplace(threads, measure_peak_flops<Arch>(threads)).first;
  return found->second;
}

}  // namespace ctnet::bench
