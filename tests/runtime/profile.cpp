// model<Net>::profile: one entry per step of the fused pass, in the order the pass runs them, named
// after Net's layers; its size checks.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace {
using namespace ctnet;
using resnet20 = models::cifar_resnet<20>;

// conv2d without batch norm stays a step of its own, as does a relu after a pool (whose place in
// the weight buffer is the relu's before it), and a residual whose body ends in a relu keeps its add.
using unfused_parts = network<shape<3, 9, 9>, conv2d<4, 3>, relu, max_pool<2>, relu,
                              residual<sequential<conv2d<4, 3>, relu>>, global_avg_pool, flatten, linear<3>>;

std::vector<std::string> paths_of(const pass_profile& p) {
  std::vector<std::string> paths;
  for (const auto& s : p.steps) paths.push_back(s.path);
  return paths;
}

template <network_type Net>
pass_profile profile_of(std::size_t batch, std::size_t passes) {
  model<Net> m(1);
  std::vector<float> x(batch * model<Net>::input_size);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
  return m.profile(x, passes);
}
}  // namespace

TEST_CASE("profile times every step of the fused pass, named after the network's layers", "[model][profile]") {
  const pass_profile p = profile_of<resnet20>(2, 3);
  CHECK(p.batch == 2);
  CHECK(p.passes == 3);
  REQUIRE(p.steps.size() == kernel_count_v<fuse_t<resnet20>>);

  // The stem, three blocks per stage (conv1, then conv2 with the add), option A's zero_pad between
  // a stage's first conv1 and conv2, and the pooled head.
  std::vector<std::string> expected{"conv1"};
  for (int stage = 1; stage <= 3; ++stage)
    for (int block = 0; block < 3; ++block) {
      const std::string at = "layer" + std::to_string(stage) + "." + std::to_string(block);
      expected.push_back(at + ".conv1");
      if (stage > 1 && block == 0) expected.push_back(at + ".downsample");
      expected.push_back(at + ".conv2");
    }
  expected.push_back("fc");
  CHECK(paths_of(p) == expected);

  std::size_t macs = 0;
  for (const auto& s : p.steps) {
    INFO(s.path << ": " << s.kind << " " << s.detail);
    macs += s.macs;
    CHECK(s.seconds > 0);
    CHECK(std::isfinite(s.seconds));
    if (s.path.ends_with("conv1")) CHECK(s.kind == "conv_bn");
    if (s.path.ends_with(".conv2")) CHECK(s.detail == "3x3 pad 1, + shortcut, relu");
    if (s.path.ends_with("downsample")) CHECK(s.kind == "zero_pad");
  }
  CHECK(p.steps.front().detail == "3x3 pad 1, relu");
  CHECK(p.steps[7].detail == "3x3 /2 pad 1, relu");  // layer2.0.conv1
  CHECK(p.steps.back().kind == "pooled_linear");
  CHECK(macs == macs_v<resnet20>);

  double sum = 0;
  for (const auto& s : p.steps) sum += s.seconds;
  CHECK(p.seconds() == sum);
  const std::string table = p.table();
  CHECK(table.find("layer3.2.conv2") != std::string::npos);
  CHECK(table.find("22 steps, batch 2, median of 3 passes") != std::string::npos);
  CHECK(detail::active_step_listener == nullptr);  // no pass after the profile reports anywhere
}

TEST_CASE("profile names unfused steps, steps without weights and a residual's own add", "[model][profile]") {
  const pass_profile p = profile_of<unfused_parts>(1, 2);
  CHECK(paths_of(p) == std::vector<std::string>{"0", "1", "2", "3", "4.0", "4.1", "4", "7"});
  std::vector<std::string> kinds;
  for (const auto& s : p.steps) kinds.push_back(s.kind);
  CHECK(kinds == std::vector<std::string>{"conv2d", "relu", "max_pool", "relu", "conv2d", "relu", "add",
                                          "pooled_linear"});
  CHECK(p.steps[2].detail == "2x2 /2");
}

TEST_CASE("profile refuses an input that is no whole batch, and zero passes", "[model][profile]") {
  model<resnet20> m;
  std::vector<float> x(model<resnet20>::input_size + 1);
  CHECK_THROWS_WITH(m.profile(x), Catch::Contains("not a whole number of samples"));
  CHECK_THROWS_WITH(m.profile(std::span<const float>{}), Catch::Contains("no sample"));
  x.resize(model<resnet20>::input_size);
  CHECK_THROWS_WITH(m.profile(x, 0), Catch::Contains("passes must be at least 1"));
  CHECK(m.profile(x, 1).steps.size() == kernel_count_v<fuse_t<resnet20>>);
}
