// The paper's two residual blocks and the plain block of its baselines, named as in torchvision
// (conv1, bn1, ..., downsample) so that PyTorch weights find their places.
#pragma once
#include <cstddef>
#include <utility>

#include "../graph/named.hpp"
#include "../graph/residual.hpp"
#include "../graph/sequential.hpp"
#include "../graph/shortcut.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/relu.hpp"

namespace ctnet {

// Two 3×3 convolutions (ResNet-18/34 and the CIFAR nets), the first carrying the stride.
template <std::size_t Planes, std::size_t Stride>
using basic_body = sequential<named<"conv1", conv2d<Planes, 3, Stride, 1>>, named<"bn1", batch_norm>,
                              named<"relu", relu>, named<"conv2", conv2d<Planes, 3, 1, 1>>, named<"bn2", batch_norm>>;

template <std::size_t Planes, std::size_t Stride = 1, class Shortcut = option_b>
using basic_block = residual<basic_body<Planes, Stride>, Shortcut>;

// Where a bottleneck block strides: the paper strides its first 1×1 convolution ("v1");
// torchvision strides the 3×3 ("v1.5"), which costs more multiply-adds and is more accurate.
enum class bottleneck_stride { first_1x1, the_3x3 };

inline constexpr std::size_t bottleneck_expansion = 4;

// 1×1 reduce → 3×3 → 1×1 expand to 4× Planes channels (ResNet-50/101/152).
template <std::size_t Planes, std::size_t Stride = 1, class Shortcut = option_b,
          bottleneck_stride StrideAt = bottleneck_stride::the_3x3>
using bottleneck = residual<
    sequential<named<"conv1", conv2d<Planes, 1, StrideAt == bottleneck_stride::first_1x1 ? Stride : 1, 0>>,
               named<"bn1", batch_norm>, named<"relu", relu>,
               named<"conv2", conv2d<Planes, 3, StrideAt == bottleneck_stride::the_3x3 ? Stride : 1, 1>>,
               named<"bn2", batch_norm>, named<"relu", relu>,
               named<"conv3", conv2d<Planes * bottleneck_expansion, 1, 1, 0>>, named<"bn3", batch_norm>>,
    Shortcut>;

// The basic block without its shortcut: the paper's plain baselines.
template <std::size_t Planes, std::size_t Stride = 1>
using plain_block = sequential<named<"conv1", conv2d<Planes, 3, Stride, 1>>, named<"bn1", batch_norm>,
                               named<"relu", relu>, named<"conv2", conv2d<Planes, 3, 1, 1>>,
                               named<"bn2", batch_norm>, named<"relu", relu>>;

namespace detail {
template <class First, class Rest, class Indices>
struct repeat_blocks;
template <class First, class Rest, std::size_t... I>
struct repeat_blocks<First, Rest, std::index_sequence<I...>> {
  template <std::size_t>
  using again = Rest;
  using type = sequential<First, again<I>...>;
};
}  // namespace detail

// A stage of Count blocks (Count ≥ 1): First opens it (it may stride and widen), Rest repeats.
template <std::size_t Count, class First, class Rest>
using stage = typename detail::repeat_blocks<First, Rest, std::make_index_sequence<Count - 1>>::type;

}  // namespace ctnet
