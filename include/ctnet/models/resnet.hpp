// The ImageNet models of the paper (input 3×224×224, 1000 classes): conv1 7×7/2 → max pool 3×3/2 →
// four stages 64, 128, 256, 512 planes wide (stages 2–4 open with stride 2) → global average pool → fc.
// resnetNN follow torchvision (option B shortcuts; bottleneck stride on the 3×3) and load its weights;
// resnetNN_v1 follow the paper's layout (bottleneck stride on the first 1×1), whose multiply-adds
// are Table 1's; plain18 and plain34 are the paper's baselines without shortcuts.
#pragma once
#include <cstddef>

#include "../graph/network.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "blocks.hpp"

namespace ctnet::models {

namespace family {
template <class Shortcut = option_b>
struct basic {
  static constexpr std::size_t expansion = 1;
  template <std::size_t Planes, std::size_t Stride>
  using block = basic_block<Planes, Stride, Shortcut>;
};
template <bottleneck_stride StrideAt, class Shortcut = option_b>
struct bottleneck {
  static constexpr std::size_t expansion = bottleneck_expansion;
  template <std::size_t Planes, std::size_t Stride>
  using block = ctnet::bottleneck<Planes, Stride, Shortcut, StrideAt>;
};
struct plain {
  static constexpr std::size_t expansion = 1;
  template <std::size_t Planes, std::size_t Stride>
  using block = plain_block<Planes, Stride>;
};
}  // namespace family

template <class Family, std::size_t Planes, std::size_t Stride, std::size_t Count>
using imagenet_stage =
    stage<Count, typename Family::template block<Planes, Stride>, typename Family::template block<Planes, 1>>;

template <class Family, std::size_t D1, std::size_t D2, std::size_t D3, std::size_t D4, std::size_t Classes = 1000>
using imagenet_resnet = network<
    shape<3, 224, 224>, named<"conv1", conv2d<64, 7, 2, 3>>, named<"bn1", batch_norm>, named<"relu", relu>,
    named<"maxpool", max_pool<3, 2, 1>>, named<"layer1", imagenet_stage<Family, 64, 1, D1>>,
    named<"layer2", imagenet_stage<Family, 128, 2, D2>>, named<"layer3", imagenet_stage<Family, 256, 2, D3>>,
    named<"layer4", imagenet_stage<Family, 512, 2, D4>>, named<"avgpool", global_avg_pool>,
    named<"flatten", flatten>, named<"fc", linear<Classes>>>;

// Each model is its own type rather than an alias, so diagnostics and symbols say "resnet50".
struct resnet18 : imagenet_resnet<family::basic<>, 2, 2, 2, 2> {};
struct resnet34 : imagenet_resnet<family::basic<>, 3, 4, 6, 3> {};
struct resnet50 : imagenet_resnet<family::bottleneck<bottleneck_stride::the_3x3>, 3, 4, 6, 3> {};
struct resnet101 : imagenet_resnet<family::bottleneck<bottleneck_stride::the_3x3>, 3, 4, 23, 3> {};
struct resnet152 : imagenet_resnet<family::bottleneck<bottleneck_stride::the_3x3>, 3, 8, 36, 3> {};

struct resnet50_v1 : imagenet_resnet<family::bottleneck<bottleneck_stride::first_1x1>, 3, 4, 6, 3> {};
struct resnet101_v1 : imagenet_resnet<family::bottleneck<bottleneck_stride::first_1x1>, 3, 4, 23, 3> {};
struct resnet152_v1 : imagenet_resnet<family::bottleneck<bottleneck_stride::first_1x1>, 3, 8, 36, 3> {};

struct plain18 : imagenet_resnet<family::plain, 2, 2, 2, 2> {};
struct plain34 : imagenet_resnet<family::plain, 3, 4, 6, 3> {};

}  // namespace ctnet::models
