// Microbenchmarks for any model, one Google Benchmark per layer:
//
//     #include <ctnet/bench/layers.hpp>
//     ctnet::bench::register_layers<my_net>("my_net");       // my_net/conv1, my_net/layer1.0.conv1, ...
//     ctnet::bench::register_model<my_net>("my_net", 32);     // my_net/forward/batch=32
//     ctnet::bench::register_model<my_net>("my_net", 32, ctnet::bench::pass::unfused);  // what fusion saves
//
// then benchmark::RunSpecifiedBenchmarks() (or BENCHMARK_MAIN()). Not part of ctnet.hpp: it needs
// <benchmark/benchmark.h> and the benchmark library.
//
// Each layer runs alone, on random input of its input shape, with the fast kernels of
// ctnet::compiled_arch (the best instruction set this translation unit's flags enable: build with
// -march=native to measure this machine's best) and its weights packed as model<Net> packs them,
// from torchvision's initialisation. A residual block's closing y = relu(body + shortcut) is an entry
// of its own, "<block>.add". Names are "<name>/<path>", with "/batch=N" appended when N is not 1.
//
// Counters (ctnet/bench/timing.hpp, timed with a steady clock, i.e. real time: the kernels use
// several threads, and Google Benchmark's CPU column counts only the calling one): GFLOP/s
// (2 × MACs × batch per iteration, over the time taken) and %peak, against this CPU's FMA peak for
// compiled_arch measured with as many threads as the kernels use (ctnet/bench/peak.hpp;
// CTNET_NUM_THREADS sets both); GB/s and bytes: the input, output and packed weights one iteration
// reads or writes once each (a convolution's im2col scratch is not counted). Whole models add
// images/s. Each also has best_GFLOP/s and best_%peak, from its fastest iteration.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <benchmark/benchmark.h>

#include "../graph/walk.hpp"
#include "../kernels/simd/arch.hpp"
#include "../runtime/aligned_buffer.hpp"
#include "../runtime/initialize.hpp"
#include "../runtime/model.hpp"
#include "../runtime/random.hpp"
#include "../runtime/threads.hpp"
#include "peak.hpp"
#include "timing.hpp"

namespace ctnet::bench {

// "<name>/<what>", and "/batch=N" unless N is 1.
inline std::string benchmark_name(std::string_view name, std::string_view what, std::size_t batch) {
  std::string full(name);
  full.append("/").append(what);
  if (batch != 1) full.append("/batch=").append(std::to_string(batch));
  return full;
}

// The FLOP/s that count as 100%: compiled_arch's FMA peak with the kernels' thread count.
inline double kernel_peak_flops() { return peak_flops<compiled_arch>(num_threads()); }

namespace detail {
// A buffer of n standard normal values (at least one float, so that every pointer is valid).
inline aligned_buffer random_buffer(std::size_t n, std::uint64_t seed) {
  aligned_buffer buffer(n > 0 ? n : 1);
  random_stream random(seed);
  for (float& v : buffer.span()) v = static_cast<float>(random.normal());
  return buffer;
}

// A model's weights as torchvision initialises them, made once per network and shared by all of
// its layers' benchmarks; on first use, so that a filtered run does not pay for the others.
template <network_type Net>
const float* initial_weights() {
  static const aligned_buffer weights = [] {
    aligned_buffer w(bound_t<Net>::storage > 0 ? bound_t<Net>::storage : 1);
    initialize<Net>(w.span(), 1);
    return w;
  }();
  return weights.data();
}

template <class Bound>
std::string describe() {
  std::string text(Bound::kind);
  if constexpr (requires { Bound::detail(); }) {
    const std::string detail = Bound::detail();
    if (!detail.empty()) text.append(" ").append(detail);
  }
  return text;
}

// One layer alone: its packed weights, input, output and scratch for `batch` samples.
template <class Bound>
void run_layer(benchmark::State& state, const float* (*weights)(), std::size_t offset, std::size_t batch) {
  using arch = compiled_arch;
  constexpr std::size_t packed_floats = Bound::template packed_floats<arch>();
  aligned_buffer packed(packed_floats > 0 ? packed_floats : 1);
  Bound::template pack<arch>(weights() + offset, packed.data());
  const aligned_buffer x = random_buffer(batch * Bound::input::size, 2);
  aligned_buffer y(batch * Bound::output::size), ws(batch * Bound::workspace > 0 ? batch * Bound::workspace : 1);
  const double samples = static_cast<double>(batch);
  const work w{2.0 * static_cast<double>(Bound::macs) * samples,
               4.0 * (samples * static_cast<double>(Bound::input::size + Bound::output::size) +
                      static_cast<double>(packed_floats)),
               0};
  timed(state, w, kernel_peak_flops(), [&] {
    Bound::template run<arch>(packed.data(), x.data(), y.data(), ws.data(), batch);
    benchmark::DoNotOptimize(y.data());
  });
  state.SetLabel(describe<Bound>());
}

// A residual block's closing step: reads the body's output and the shortcut's, writes y in place.
template <class Step>
void run_add(benchmark::State& state, std::size_t batch) {
  const aligned_buffer body_out = random_buffer(batch * Step::output::size, 3);
  aligned_buffer y = random_buffer(batch * Step::output::size, 4);
  const work w{0, 4.0 * 3.0 * static_cast<double>(batch * Step::output::size), 0};
  timed(state, w, kernel_peak_flops(), [&] {
    Step::template run<compiled_arch>(body_out.data(), y.data(), batch);
    benchmark::DoNotOptimize(y.data());
  });
  state.SetLabel("add+relu");
}
}  // namespace detail

// One benchmark per layer of Net (as walk<Net> finds them), each at `batch` samples.
// A layer whose path an earlier one already has (torchvision's bottleneck calls both its relus
// "relu") is told apart by "#2", "#3", ...
template <network_type Net>
void register_layers(std::string_view name, std::size_t batch = 1) {
  std::map<std::string, std::size_t> seen;
  const auto unique = [&](std::string path) {
    const std::size_t n = ++seen[path];
    return n == 1 ? path : path + "#" + std::to_string(n);
  };
  walk<Net, compiled_arch>([&]<class Bound>(std::type_identity<Bound>, const node_site& site) {
    if constexpr (is_residual_add_step_v<Bound>) {
      benchmark::RegisterBenchmark(benchmark_name(name, unique(site.path + ".add"), batch).c_str(),
                                   [batch](benchmark::State& state) { detail::run_add<Bound>(state, batch); })
          ->Unit(benchmark::kMicrosecond);
    } else {
      const std::size_t offset = site.offset;
      benchmark::RegisterBenchmark(benchmark_name(name, unique(site.path), batch).c_str(),
                                   [offset, batch](benchmark::State& state) {
                                     detail::run_layer<Bound>(state, &detail::initial_weights<Net>, offset, batch);
                                   })
          ->Unit(benchmark::kMicrosecond);
    }
  });
}

// The yardstick itself: "fma_peak/<arch>/threads=N", reporting kernel_peak_flops() as
// yardstick_GFLOP/s, so that a table of layers can be read against it.
inline void register_peak() {
  const std::string name = std::string("fma_peak/") + compiled_arch::name() + "/threads=" + std::to_string(num_threads());
  benchmark::RegisterBenchmark(name.c_str(), [](benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(kernel_peak_flops());
    state.counters["yardstick_GFLOP/s"] = kernel_peak_flops() * 1e-9;
  });
}

// How a whole-model benchmark runs the network.
enum class pass { fused, unfused };

// The whole forward pass of model<Net> (its kernels are active_arch()'s), at `batch` samples:
// model::forward, fuse_t<Net>, or with pass::unfused model::forward_unfused, layer by layer.
// Named "<name>/forward" or "<name>/forward_unfused", with "/batch=N" unless N is 1.
template <network_type Net>
void register_model(std::string_view name, std::size_t batch = 1, pass how = pass::fused) {
  benchmark::RegisterBenchmark(
      benchmark_name(name, how == pass::fused ? "forward" : "forward_unfused", batch).c_str(),
      [batch, how](benchmark::State& state) {
        model<Net> m(1, batch);
        const aligned_buffer x = detail::random_buffer(batch * m.input_size, 2);
        aligned_buffer y(batch * m.output_size);
        const auto forward = [&] {
          if (how == pass::fused) m.forward(x.span(), y.span());
          else m.forward_unfused(x.span(), y.span());
        };
        forward();  // the unfused pass packs its weights at its first call
        const double samples = static_cast<double>(batch);
        const work w{2.0 * static_cast<double>(macs_v<Net>) * samples, 0, samples};
        timed(state, w, kernel_peak_flops(), [&] {
          forward();
          benchmark::DoNotOptimize(y.data());
        });
        state.SetLabel(std::string(active_arch()));
      })
      ->Unit(benchmark::kMillisecond);
}

}  // namespace ctnet::bench
