// Type-level facts about the zoo, checked by compiling: output shapes, trainable parameters
// (torchvision's and the paper's Table 6) and multiply-accumulates (the paper's Table 1).
#include <ctnet/ctnet.hpp>

#include <cstddef>
#include <type_traits>

namespace {
using namespace ctnet;
namespace m = ctnet::models;

// --- output shapes -------------------------------------------------------------------------
static_assert(std::is_same_v<output_shape_t<m::resnet18>, shape<1000>>);
static_assert(std::is_same_v<output_shape_t<m::resnet152_v1>, shape<1000>>);
static_assert(std::is_same_v<output_shape_t<m::plain34>, shape<1000>>);
static_assert(std::is_same_v<output_shape_t<m::cifar_resnet<20>>, shape<10>>);
static_assert(std::is_same_v<output_shape_t<m::cifar_plain<56>>, shape<10>>);
static_assert(std::is_same_v<input_shape_t<m::resnet50>, shape<3, 224, 224>>);

// The stages of resnet50: 56×56 after the stem, then 28, 14, 7; 4× expansion in the bottleneck.
using resnet50_tree = bound_t<m::resnet50>;
static_assert(std::is_same_v<resnet50_tree::child<3>::output, shape<64, 56, 56>>);    // maxpool
static_assert(std::is_same_v<resnet50_tree::child<4>::output, shape<256, 56, 56>>);   // layer1
static_assert(std::is_same_v<resnet50_tree::child<5>::output, shape<512, 28, 28>>);   // layer2
static_assert(std::is_same_v<resnet50_tree::child<6>::output, shape<1024, 14, 14>>);  // layer3
static_assert(std::is_same_v<resnet50_tree::child<7>::output, shape<2048, 7, 7>>);    // layer4

// --- trainable parameters: torchvision's sum(p.numel() for p in model.parameters()) ---------
static_assert(param_count_v<m::resnet18> == 11'689'512);
static_assert(param_count_v<m::resnet34> == 21'797'672);
static_assert(param_count_v<m::resnet50> == 25'557'032);
static_assert(param_count_v<m::resnet101> == 44'549'160);
static_assert(param_count_v<m::resnet152> == 60'192'808);
// Where the bottleneck strides changes multiply-adds, never parameters.
static_assert(param_count_v<m::resnet50_v1> == param_count_v<m::resnet50>);
static_assert(param_count_v<m::resnet101_v1> == param_count_v<m::resnet101>);
static_assert(param_count_v<m::resnet152_v1> == param_count_v<m::resnet152>);

// Plain nets lose exactly the option B projections (1×1 conv + BN at the three widening blocks).
constexpr std::size_t resnet18_projections =
    (128 * 64 + 2 * 128) + (256 * 128 + 2 * 256) + (512 * 256 + 2 * 512);
static_assert(param_count_v<m::plain18> == param_count_v<m::resnet18> - resnet18_projections);
static_assert(param_count_v<m::plain34> == param_count_v<m::resnet34> - resnet18_projections);

// --- CIFAR nets: ResNet-20 exactly, then Table 6's column (in units of 10,000) -------------
static_assert(param_count_v<m::cifar_resnet<20>> == 269'722);
constexpr std::size_t in_ten_thousands(std::size_t n) { return (n + 5'000) / 10'000; }
static_assert(in_ten_thousands(param_count_v<m::cifar_resnet<32>>) == 46);   // 0.46M
static_assert(in_ten_thousands(param_count_v<m::cifar_resnet<44>>) == 66);   // 0.66M
static_assert(in_ten_thousands(param_count_v<m::cifar_resnet<56>>) == 85);   // 0.85M
static_assert(in_ten_thousands(param_count_v<m::cifar_resnet<110>>) == 173);  // 1.7M
static_assert((param_count_v<m::cifar_resnet<1202>> + 50'000) / 100'000 == 194);  // 19.4M
// Option A adds nothing; option B adds the two projections; plain twins have option A's count.
static_assert(param_count_v<m::cifar_plain<20>> == param_count_v<m::cifar_resnet<20>>);
static_assert(param_count_v<m::cifar_resnet<20, option_b>> ==
              param_count_v<m::cifar_resnet<20>> + (32 * 16 + 2 * 32) + (64 * 32 + 2 * 64));
static_assert(param_count_v<m::cifar_resnet<20, option_c>> > param_count_v<m::cifar_resnet<20, option_b>>);

// --- multiply-accumulates ---------------------------------------------------------------------
// Exact counts, derived by hand below from the architecture (not from the library), then Table 1's
// column. Per stage: blocks × per-block MACs at the stage's output resolution.
constexpr std::size_t conv(std::size_t out_c, std::size_t out_hw, std::size_t in_c, std::size_t k) {
  return out_c * out_hw * out_hw * in_c * k * k;
}
constexpr std::size_t stem = conv(64, 112, 3, 7), fc = 2048 * 1000;
constexpr std::size_t basic(std::size_t c, std::size_t hw) { return 2 * conv(c, hw, c, 3); }
// ResNet-18: the first block of stages 2–4 has a strided 3×3 (in = c/2) and a projection.
constexpr std::size_t resnet18_macs =
    stem + 2 * basic(64, 56) +
    [] {
      std::size_t total = 0;
      for (std::size_t c : {128, 256, 512}) {
        const std::size_t hw = 56 * 64 / c;
        total += conv(c, hw, c / 2, 3) + conv(c, hw, c, 3) + conv(c, hw, c / 2, 1) + basic(c, hw);
      }
      return total;
    }() +
    512 * 1000;
static_assert(macs_v<m::resnet18> == resnet18_macs);
static_assert(macs_v<m::resnet18> == 1'814'073'344);

// Bottleneck, paper layout: first block of a stage at width c (output 4c) reads 4c/2 channels
// (or 64 for layer1) at twice the resolution, but its strided 1×1 already outputs at the stage's.
constexpr std::size_t bottleneck_v1(std::size_t blocks, std::size_t c, std::size_t hw, std::size_t in_c) {
  const std::size_t first = conv(c, hw, in_c, 1) + conv(c, hw, c, 3) + conv(4 * c, hw, c, 1) + conv(4 * c, hw, in_c, 1);
  const std::size_t rest = conv(c, hw, 4 * c, 1) + conv(c, hw, c, 3) + conv(4 * c, hw, c, 1);
  return first + (blocks - 1) * rest;
}
constexpr std::size_t resnet_v1_macs(std::size_t d1, std::size_t d2, std::size_t d3, std::size_t d4) {
  return stem + bottleneck_v1(d1, 64, 56, 64) + bottleneck_v1(d2, 128, 28, 256) + bottleneck_v1(d3, 256, 14, 512) +
         bottleneck_v1(d4, 512, 7, 1024) + fc;
}
static_assert(macs_v<m::resnet50_v1> == resnet_v1_macs(3, 4, 6, 3));
static_assert(macs_v<m::resnet101_v1> == resnet_v1_macs(3, 4, 23, 3));
static_assert(macs_v<m::resnet152_v1> == resnet_v1_macs(3, 8, 36, 3));
// torchvision's layout runs the first 1×1 of a strided block at the input's resolution.
static_assert(macs_v<m::resnet50> - macs_v<m::resnet50_v1> ==
              conv(128, 56, 256, 1) - conv(128, 28, 256, 1) + conv(256, 28, 512, 1) - conv(256, 14, 512, 1) +
                  conv(512, 14, 1024, 1) - conv(512, 7, 1024, 1));

// Table 1 prints one decimal, and not consistently rounded (3.66 appears as 3.6, 7.57 as 7.6):
// every count stands within 0.1 ×10⁹ of the printed figure.
constexpr bool near_table_1(std::size_t macs, double printed) {
  const double g = static_cast<double>(macs) / 1e9;
  return g > printed - 0.1 && g < printed + 0.1;
}
static_assert(near_table_1(macs_v<m::resnet18>, 1.8));
static_assert(near_table_1(macs_v<m::resnet34>, 3.6));
static_assert(near_table_1(macs_v<m::resnet50_v1>, 3.8));
static_assert(near_table_1(macs_v<m::resnet101_v1>, 7.6));
static_assert(near_table_1(macs_v<m::resnet152_v1>, 11.3));
// The plain nets cost what the residual ones do, less the projections (the paper: "same cost").
static_assert(macs_v<m::plain34> == macs_v<m::resnet34> - conv(128, 28, 64, 1) - conv(256, 14, 128, 1) - conv(512, 7, 256, 1));
// CIFAR ResNet-20: about 41 million multiply-adds.
static_assert(macs_v<m::cifar_resnet<20>> == 40'551'040);

}  // namespace
