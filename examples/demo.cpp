// make demo: the per-layer summaries of ResNet-50 and CIFAR ResNet-20, then each run on a random
// batch with the SIMD kernels and with the scalar reference kernels (the oracle), timed per image,
// with how far apart the two answers are.
#include <ctnet/ctnet.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

template <ctnet::network_type Net>
void run(const char* name, std::size_t batch, std::uint64_t seed) {
  ctnet::model<Net> m(seed);
  ctnet::random_stream random(seed + 1);
  std::vector<float> images(batch * m.input_size), fast(batch * m.output_size), oracle(fast.size());
  for (float& v : images) v = static_cast<float>(random.normal());

  const auto timed = [&](auto&& pass) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  m.forward(images, fast);  // the first pass packs the weights and sizes the workspace
  const double fast_ms = timed([&] { m.forward(images, fast); });
  const double oracle_ms = timed([&] { m.forward_reference(images, oracle); });

  double difference = 0;
  for (std::size_t i = 0; i < fast.size(); ++i)
    difference = std::max(difference, static_cast<double>(std::abs(fast[i] - oracle[i])));
  const double per_image = static_cast<double>(batch);
  std::printf("%-17s batch %2zu: %8.2f ms per image with %s kernels (%5.1f GMAC/s), %8.2f ms with the reference;"
              " max |difference| %.1e\n",
              name, batch, fast_ms / per_image, std::string(ctnet::active_arch()).c_str(),
              static_cast<double>(ctnet::macs_v<Net>) * per_image / (fast_ms * 1e6), oracle_ms / per_image, difference);
}

}  // namespace

int main() {
  ctnet::print_summary<ctnet::models::resnet50>(std::cout, "resnet50");
  std::cout << '\n';
  ctnet::print_summary<ctnet::models::cifar_resnet<20>>(std::cout, "cifar_resnet<20>");
  std::cout << "\nForward passes on random images, " << ctnet::num_threads() << " threads:\n";
  run<ctnet::models::cifar_resnet<20>>("cifar_resnet<20>", 16, 1);
  run<ctnet::models::resnet50>("resnet50", 2, 1);
}
