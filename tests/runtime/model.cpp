// model<Net>: one aligned buffer, tensors by name, seeded initialisation, forward's size checks.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace {
using namespace ctnet;
using resnet20 = models::cifar_resnet<20>;

template <network_type Net>
std::vector<std::string> tensor_names() {
  std::vector<std::string> names;
  for_each_tensor<Net>([&](const std::string& name, const tensor_spec&, std::size_t) { names.push_back(name); });
  return names;
}
}  // namespace

TEST_CASE("the weight buffer is one 64-byte-aligned block holding every tensor once", "[model]") {
  model<resnet20> m;
  REQUIRE(reinterpret_cast<std::uintptr_t>(m.buffer().data()) % 64 == 0);
  REQUIRE(m.buffer().size() == model<resnet20>::buffer_size);

  std::vector<char> owner(m.buffer().size(), 0);
  std::size_t trainable = 0, overlaps = 0;
  for_each_tensor<resnet20>([&](const std::string& name, const tensor_spec& t, std::size_t offset) {
    INFO(name);
    REQUIRE(offset % 16 == 0);
    REQUIRE(offset + t.count() <= owner.size());
    for (std::size_t i = offset; i < offset + t.count(); ++i) overlaps += owner[i]++ != 0;
    trainable += t.trainable ? t.count() : 0;
  });
  REQUIRE(overlaps == 0);
  REQUIRE(trainable == param_count_v<resnet20>);
}

TEST_CASE("tensors carry PyTorch's state_dict names", "[model]") {
  const auto names = tensor_names<resnet20>();
  const std::set<std::string> unique(names.begin(), names.end());
  REQUIRE(unique.size() == names.size());
  for (const char* expected : {"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                               "layer1.0.conv1.weight", "layer2.0.bn2.running_var", "layer3.2.conv2.weight",
                               "fc.weight", "fc.bias"})
    CHECK(unique.count(expected) == 1);
  // conv1 + 18 convs, each with a BN of 4 tensors, and the fc's two: no option A parameters.
  REQUIRE(names.size() == 19 + 19 * 4 + 2);

  // torchvision's ResNet-50 state_dict has 320 entries, 53 of them num_batches_tracked.
  const auto resnet50 = tensor_names<models::resnet50>();
  REQUIRE(resnet50.size() == 320 - 53);
  const std::set<std::string> r50(resnet50.begin(), resnet50.end());
  for (const char* expected : {"layer1.0.downsample.0.weight", "layer2.0.downsample.1.running_mean",
                               "layer4.2.conv3.weight", "layer4.2.bn3.bias", "fc.bias"})
    CHECK(r50.count(expected) == 1);
  CHECK(r50.count("layer1.1.downsample.0.weight") == 0);
}

TEST_CASE("model::tensor finds a tensor by name, with its shape's size", "[model]") {
  model<resnet20> m;
  REQUIRE(m.tensor("layer2.0.conv1.weight").size() == 32 * 16 * 3 * 3);
  REQUIRE(m.tensor("fc.bias").size() == 10);
  REQUIRE_THROWS_AS(m.tensor("layer9.conv1.weight"), ctnet::error);
  REQUIRE_THROWS_WITH(m.tensor("fc.gamma"), Catch::Contains("fc.gamma"));
}

TEST_CASE("initialisation is torchvision's, and a seed names one model", "[model][init]") {
  // The seeds on a small network (drawing three resnet18s took most of a minute under QEMU).
  model<resnet20> seven(7), again(7), eight(8);
  REQUIRE(std::equal(seven.buffer().begin(), seven.buffer().end(), again.buffer().begin()));
  REQUIRE_FALSE(std::equal(seven.buffer().begin(), seven.buffer().end(), eight.buffer().begin()));

  model<models::resnet18> a(7);

  // Kaiming normal, fan_out: std = sqrt(2 / (512 · 3 · 3)) over 2.4 million draws.
  const auto w = a.tensor("layer4.0.conv2.weight");
  const double mean = std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size());
  double square = 0;
  for (float v : w) square += (v - mean) * (v - mean);
  const double stddev = std::sqrt(square / static_cast<double>(w.size()));
  CHECK(std::abs(mean) < 1e-4);
  CHECK(stddev == Approx(std::sqrt(2.0 / (512 * 9))).epsilon(0.01));

  // BN starts as the identity; the fc is uniform within 1/sqrt(fan_in).
  for (float v : a.tensor("layer3.1.bn2.weight")) REQUIRE(v == 1.0f);
  for (float v : a.tensor("layer3.1.bn2.bias")) REQUIRE(v == 0.0f);
  for (float v : a.tensor("bn1.running_mean")) REQUIRE(v == 0.0f);
  for (float v : a.tensor("bn1.running_var")) REQUIRE(v == 1.0f);
  const auto fc = a.tensor("fc.weight");
  const float bound = 1.0f / std::sqrt(512.0f);
  REQUIRE(std::all_of(fc.begin(), fc.end(), [&](float v) { return std::abs(v) <= bound; }));
  REQUIRE(*std::max_element(fc.begin(), fc.end()) > 0.9f * bound);
}

TEST_CASE("forward rejects sizes that are not whole batches, saying the sizes", "[model][errors]") {
  model<resnet20> m;
  std::vector<float> in(2 * 3072), out(2 * 10);
  std::vector<float> ragged(3072 + 5), short_out(19);
  REQUIRE_THROWS_AS(m.forward(ragged, out), ctnet::error);
  REQUIRE_THROWS_WITH(m.forward(ragged, out), Catch::Contains("3077") && Catch::Contains("3072") &&
                                                  Catch::Contains("3x32x32"));
  REQUIRE_THROWS_WITH(m.forward(in, short_out), Catch::Contains("19") && Catch::Contains("20"));
  // A rejected call leaves the output untouched.
  std::fill(short_out.begin(), short_out.end(), 42.0f);
  REQUIRE_THROWS(m.forward(in, short_out));
  REQUIRE(std::all_of(short_out.begin(), short_out.end(), [](float v) { return v == 42.0f; }));
  // An empty batch is a batch of none.
  REQUIRE_NOTHROW(m.forward(std::span<const float>{}, std::span<float>{}));
}
