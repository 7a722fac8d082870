// The CIFAR ResNets run end to end: finite, reproducible, independent per sample.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {
using namespace ctnet;

std::vector<float> random_images(std::size_t floats, std::uint64_t seed) { return testing::random_values(floats, seed); }

// BN statistics as after training, so that normalisation does real work.
template <network_type Net>
void give_batch_norm_statistics(model<Net>& m, std::uint64_t seed) {
  random_stream random(seed);
  for_each_tensor<Net>([&](const std::string& name, const tensor_spec& t, std::size_t offset) {
    float* data = m.buffer().data() + offset;
    const bool is_bn = name.find("bn") != std::string::npos;
    for (std::size_t i = 0; i < t.count() && is_bn; ++i) {
      if (name.ends_with("running_mean") || name.ends_with(".bias")) data[i] = static_cast<float>(0.1 * random.normal());
      if (name.ends_with("running_var") || name.ends_with(".weight")) data[i] = static_cast<float>(random.uniform(0.5, 1.5));
    }
  });
}
}  // namespace

TEST_CASE("cifar_resnet<20>: a fixed-seed forward is finite and reproducible", "[models][cifar]") {
  model<models::cifar_resnet<20>> a(2024), b(2024);
  give_batch_norm_statistics(a, 1);
  give_batch_norm_statistics(b, 1);
  const auto x = random_images(3 * 3 * 32 * 32, 99);
  std::vector<float> ya(3 * 10), yb(3 * 10), again(3 * 10);
  a.forward(x, ya);
  b.forward(x, yb);
  a.forward(x, again);

  REQUIRE(std::all_of(ya.begin(), ya.end(), [](float v) { return std::isfinite(v); }));
  REQUIRE(ya == yb);     // same seed, same model, same answer, bit for bit
  REQUIRE(ya == again);  // and the workspace carries nothing over between calls
  // Not degenerate: different images give different logits, and logits differ within an image.
  REQUIRE_FALSE(std::equal(ya.begin(), ya.begin() + 10, ya.begin() + 10));
  REQUIRE(*std::max_element(ya.begin(), ya.begin() + 10) > *std::min_element(ya.begin(), ya.begin() + 10));

  SECTION("each sample of a batch is computed as if alone") {
    for (std::size_t n = 0; n < 3; ++n) {
      std::vector<float> one(10);
      a.forward(std::span(x).subspan(n * 3072, 3072), one);
      REQUIRE(std::equal(one.begin(), one.end(), ya.begin() + static_cast<long>(n * 10)));
    }
  }
}

TEST_CASE("option A, B and C and the plain twin are different networks on the same input", "[models][cifar]") {
  const auto x = random_images(3072, 5);
  std::vector<float> ya(10), yb(10), yplain(10);
  model<models::cifar_resnet<8>>(3).forward(x, ya);
  model<models::cifar_resnet<8, option_b>>(3).forward(x, yb);
  model<models::cifar_plain<8>>(3).forward(x, yplain);
  REQUIRE(std::all_of(yb.begin(), yb.end(), [](float v) { return std::isfinite(v); }));
  REQUIRE(ya != yb);
  REQUIRE(ya != yplain);
}
