// make demo: the per-layer summaries of ResNet-50 and CIFAR ResNet-20, then each run on a random
// batch with the fused SIMD kernels, the unfused ones and the scalar reference kernels (the oracle),
// timed per image, with how far apart the answers are, and what fusion and the memory plan save.
#include <ctnet/ctnet.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <cstdio>
#include <string_view>
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
  std::vector<float> unfused(fast.size());
  m.forward(images, fast);  // the first passes size the workspace (and pack the unfused weights)
  m.forward_unfused(images, unfused);
  // Each the fastest of a few passes: the machine may be busy.
  const auto fastest = [&](auto&& pass) {
    double best = timed(pass);
    for (int i = 0; i < 4; ++i) best = std::min(best, timed(pass));
    return best;
  };
  const double fast_ms = fastest([&] { m.forward(images, fast); });
  const double unfused_ms = fastest([&] { m.forward_unfused(images, unfused); });
  const double oracle_ms = timed([&] { m.forward_reference(images, oracle); });

  const auto farthest = [&](const std::vector<float>& a) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, static_cast<double>(std::abs(a[i] - oracle[i])));
    return d;
  };
  // An engine without a plan keeps every layer's output: the sum of all activations.
  std::size_t activations = 0;
  ctnet::for_each_layer<Net>([&](std::string_view, const ctnet::layer_record& r) {
    activations += r.output_rank == 3 ? r.output[0] * r.output[1] * r.output[2] : r.output[0];
  });
  const double per_image = static_cast<double>(batch);
  std::printf("%-17s batch %2zu, %s kernels, per image: fused %7.2f ms (%5.1f GMAC/s), unfused %7.2f ms (x%.2f),"
              " reference %8.2f ms; max |difference| from the reference %.1e fused, %.1e unfused\n",
              name, batch, std::string(ctnet::active_arch()).c_str(), fast_ms / per_image,
              static_cast<double>(ctnet::macs_v<Net>) * per_image / (fast_ms * 1e6), unfused_ms / per_image,
              unfused_ms / fast_ms, oracle_ms / per_image, farthest(fast), farthest(unfused));
  std::printf("%-17s kernels run: %zu fused, %zu unfused; workspace %.0f KiB per image, all activations %.0f KiB\n",
              "", ctnet::kernel_count_v<ctnet::fuse_t<Net>>, ctnet::kernel_count_v<Net>,
              static_cast<double>(ctnet::model<Net>::workspace_bytes()) / 1024.0,
              static_cast<double>(activations * sizeof(float)) / 1024.0);
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
