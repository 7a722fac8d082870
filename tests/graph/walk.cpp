// walk<Net, Arch>: the layers' types in visit()'s order, with the same paths and offsets.
#include <ctnet/ctnet.hpp>
#include <ctnet/graph/walk.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct step {
  std::string path, kind;
  std::size_t macs, offset;
  bool operator==(const step&) const = default;
};

// What walk reports, with a residual's add step under the kind visit() gives the block.
template <class Net, class Arch>
std::vector<step> walked() {
  std::vector<step> steps;
  ctnet::walk<Net, Arch>([&]<class Bound>(std::type_identity<Bound>, const ctnet::node_site& site) {
    const std::string_view kind = ctnet::is_residual_add_step_v<Bound> ? "residual" : Bound::kind;
    steps.push_back({site.path, std::string(kind), Bound::macs, site.offset});
  });
  return steps;
}

template <class Net>
std::vector<step> visited() {
  std::vector<step> steps;
  ctnet::for_each_layer<Net>([&](std::string_view path, const ctnet::layer_record& r) {
    steps.push_back({std::string(path), std::string(r.kind), r.macs, r.offset});
  });
  return steps;
}

template <class Net, class Arch>
std::size_t count_kind(std::string_view kind) {
  std::size_t n = 0;
  for (const step& s : walked<Net, Arch>()) n += s.kind == kind;
  return n;
}

// The packed blocks of the leaves tile the execution layout in order, without overlap or gaps
// beyond the layers' own sizes.
template <class Net, class Arch>
void check_packed_layout() {
  std::size_t end = 0;
  ctnet::walk<Net, Arch>([&]<class Bound>(std::type_identity<Bound>, const ctnet::node_site& site) {
    if constexpr (!ctnet::is_residual_add_step_v<Bound>) {
      INFO(site.path);
      CHECK(site.packed_offset == end);
      end = site.packed_offset + Bound::template packed_floats<Arch>();
    }
  });
  CHECK(end == ctnet::bound_t<Net>::template packed_floats<Arch>());
}

}  // namespace

TEST_CASE("walk visits cifar_resnet<20>'s layers as for_each_layer does, with their types", "[walk]") {
  using net = ctnet::models::cifar_resnet<20>;
  using arch = ctnet::compiled_arch;
  const auto steps = walked<net, arch>();
  CHECK(steps == visited<net>());
  // 19 convolutions (option A: the two stage transitions are zero_pad, not projections).
  CHECK(count_kind<net, arch>("conv2d") == 19);
  CHECK(count_kind<net, arch>("zero_pad") == 2);
  CHECK(count_kind<net, arch>("residual") == 9);
  CHECK(count_kind<net, arch>("linear") == 1);
  std::size_t macs = 0;
  for (const step& s : steps) macs += s.macs;
  CHECK(macs == ctnet::macs_v<net>);
  CHECK(steps.front().path == "conv1");
  CHECK(steps.back().path == "fc");
  CHECK(std::find_if(steps.begin(), steps.end(), [](const step& s) { return s.path == "layer3.2.conv2"; }) !=
        steps.end());
  check_packed_layout<net, arch>();
}

TEST_CASE("walk finds resnet18's projections and block ends under torchvision's names", "[walk]") {
  using net = ctnet::models::resnet18;
  using arch = ctnet::compiled_arch;
  const auto steps = walked<net, arch>();
  CHECK(steps == visited<net>());
  CHECK(count_kind<net, arch>("conv2d") == 17 + 3);
  std::vector<std::string> projections;
  for (const step& s : steps)
    if (s.path.find("downsample.0") != std::string::npos) projections.push_back(s.path);
  CHECK(projections == std::vector<std::string>{"layer2.0.downsample.0", "layer3.0.downsample.0", "layer4.0.downsample.0"});
  check_packed_layout<net, arch>();
  // The add step runs the block's own y = relu(body + shortcut).
  using block = ctnet::bound_t<net>::child<4>::child<0>;  // layer1.0
  using add = ctnet::residual_add_step<block>;
  std::vector<float> body(add::output::size, -1.0f), y(add::output::size, 3.0f);
  y[1] = 0.5f;
  add::run<ctnet::compiled_arch>(body.data(), y.data(), 1);
  CHECK(y[0] == 2.0f);
  CHECK(y[1] == 0.0f);
}
