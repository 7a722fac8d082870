// The paper's CIFAR-10 networks (section 4.2): 3×3 conv (16) → three stages of n basic blocks,
// 16, 32 and 64 planes wide (stages 2–3 open with stride 2) → global average pool → fc 10;
// depth 6n + 2. cifar_resnet uses option A shortcuts unless told otherwise; cifar_plain has none.
// Layer names follow the common PyTorch CIFAR code: conv1, bn1, layer1.0.conv1, ..., fc.
#pragma once
#include <cstddef>

#include "../diagnostics.hpp"
#include "../graph/network.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "blocks.hpp"

namespace ctnet::models {

template <std::size_t Depth>
inline constexpr bool valid_cifar_depth = Depth >= 8 && (Depth - 2) % 6 == 0;

// Blocks per stage; 1 for an invalid depth so that only the depth's static_assert is reported.
template <std::size_t Depth>
inline constexpr std::size_t cifar_blocks_per_stage = valid_cifar_depth<Depth> ? (Depth - 2) / 6 : 1;

template <template <std::size_t, std::size_t> class Block, std::size_t N>
using cifar_network =
    network<shape<3, 32, 32>, named<"conv1", conv2d<16, 3, 1, 1>>, named<"bn1", batch_norm>, named<"relu", relu>,
            named<"layer1", stage<N, Block<16, 1>, Block<16, 1>>>,
            named<"layer2", stage<N, Block<32, 2>, Block<32, 1>>>,
            named<"layer3", stage<N, Block<64, 2>, Block<64, 1>>>, named<"avgpool", global_avg_pool>,
            named<"flatten", flatten>, named<"fc", linear<10>>>;

// Checked from a static_assert in each model, not as a base: a base whose static_assert fails
// makes clang reject every later use of the model too (see diagnostics.hpp).
template <std::size_t Depth>
struct cifar_depth_check {
  static constexpr bool done = true;
  static_assert(valid_cifar_depth<Depth> || diagnostic::cifar_depth_not_6n_plus_2<diagnostic::depth<Depth>>::value,
                "cifar_resnet / cifar_plain: Depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, 1202, ...): "
                "three stages of n two-layer blocks, plus the first conv and the fc");
};

namespace detail {
template <class Shortcut>
struct cifar_block {
  template <std::size_t Planes, std::size_t Stride>
  using type = basic_block<Planes, Stride, Shortcut>;
};
}  // namespace detail

template <std::size_t Depth, class Shortcut = option_a>
struct cifar_resnet
    : cifar_network<detail::cifar_block<Shortcut>::template type, cifar_blocks_per_stage<Depth>> {
  static_assert(cifar_depth_check<Depth>::done);
};

template <std::size_t Depth>
struct cifar_plain : cifar_network<plain_block, cifar_blocks_per_stage<Depth>> {
  static_assert(cifar_depth_check<Depth>::done);
};

}  // namespace ctnet::models
