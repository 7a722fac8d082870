// make demo: the per-layer summaries of ResNet-50 and CIFAR ResNet-20, then each run on a random
// batch with the reference kernels, timed per image.
#include <ctnet/ctnet.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

template <ctnet::network_type Net>
void run(const char* name, std::size_t batch, std::uint64_t seed) {
  ctnet::model<Net> m(seed);
  ctnet::random_stream random(seed + 1);
  std::vector<float> images(batch * m.input_size), logits(batch * m.output_size);
  for (float& v : images) v = static_cast<float>(random.normal());

  const auto start = std::chrono::steady_clock::now();
  m.forward(images, logits);
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;

  std::size_t best = 0;
  for (std::size_t k = 1; k < m.output_size; ++k) best = logits[k] > logits[best] ? k : best;
  std::printf("%-18s batch %zu: %9.2f ms per image (%.2f GMAC/s); image 0 -> class %zu (logit %.4f)\n", name, batch,
              elapsed.count() / static_cast<double>(batch),
              static_cast<double>(ctnet::macs_v<Net>) * static_cast<double>(batch) / (elapsed.count() * 1e6), best,
              static_cast<double>(logits[best]));
}

}  // namespace

int main() {
  ctnet::print_summary<ctnet::models::resnet50>(std::cout, "resnet50");
  std::cout << '\n';
  ctnet::print_summary<ctnet::models::cifar_resnet<20>>(std::cout, "cifar_resnet<20>");
  std::cout << "\nForward passes with the scalar reference kernels (the oracle; SIMD kernels come next):\n";
  run<ctnet::models::cifar_resnet<20>>("cifar_resnet<20>", 16, 1);
  run<ctnet::models::resnet50>("resnet50", 2, 1);
}
