// Whole-model forward passes with the fast kernels of the architecture this build targets, at the
// batch sizes of the README's table. Counters: images per second and GMAC/s, from the type-level
// multiply-accumulate count.
#include <ctnet/ctnet.hpp>

#include <benchmark/benchmark.h>

#include <vector>

namespace {

template <ctnet::network_type Net>
void forward(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  ctnet::model<Net> m(1);
  ctnet::random_stream random(2);
  std::vector<float> x(batch * m.input_size), y(batch * m.output_size);
  for (float& v : x) v = static_cast<float>(random.normal());
  for (auto _ : state) {
    m.forward(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double images = static_cast<double>(state.iterations() * batch);
  state.counters["images/s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["GMAC/s"] =
      benchmark::Counter(images * static_cast<double>(ctnet::macs_v<Net>) / 1e9, benchmark::Counter::kIsRate);
}

BENCHMARK(forward<ctnet::models::cifar_resnet<20>>)->Name("cifar_resnet20/forward")->Arg(1)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(forward<ctnet::models::resnet18>)->Name("resnet18/forward")->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(forward<ctnet::models::resnet50>)->Name("resnet50/forward")->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
