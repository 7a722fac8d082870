// The timing loop ctnet's benchmarks share. Each iteration is timed by hand with a steady clock, so
// that the counters are plain numbers of real time, whatever the benchmark's own time measure (with
// UseManualTime() Google Benchmark reports that same time): a rate over all iterations, and the
// same for the fastest iteration ("best_"), which other processes on a shared machine disturb less.
#pragma once
#include <chrono>
#include <cstddef>

#include <benchmark/benchmark.h>

namespace ctnet::bench {

// What one iteration does; a zero leaves its counters out.
struct work {
  double flops = 0;   // floating-point operations (2 per multiply-accumulate)
  double bytes = 0;   // bytes read and written
  double images = 0;  // samples processed
};

// Runs f once per iteration. Counters: GFLOP/s and best_GFLOP/s; with a peak (FLOP/s) > 0, %peak and
// best_%peak; GB/s and bytes (per iteration); images/s.
template <class F>
void timed(benchmark::State& state, const work& w, double peak, F&& f) {
  double seconds = 0, fastest = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    f();
    benchmark::ClobberMemory();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    seconds += took.count();
    if (fastest == 0 || took.count() < fastest) fastest = took.count();
  }
  if (seconds <= 0) return;
  const double iterations = static_cast<double>(state.iterations());
  if (w.flops > 0 || peak > 0) {
    const double rate = w.flops * iterations / seconds, best = w.flops / fastest;
    state.counters["GFLOP/s"] = rate * 1e-9;
    state.counters["best_GFLOP/s"] = best * 1e-9;
    if (peak > 0) {
      state.counters["%peak"] = 100.0 * rate / peak;
      state.counters["best_%peak"] = 100.0 * best / peak;
    }
  }
  if (w.bytes > 0) {
    state.counters["GB/s"] = w.bytes * iterations / seconds * 1e-9;
    state.counters["bytes"] = w.bytes;
  }
  if (w.images > 0) state.counters["images/s"] = w.images * iterations / seconds;
}

}  // namespace ctnet::bench
